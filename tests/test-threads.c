/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Sending from several threads at once, and calling back into the client
 * from inside each of its signals. */

#include "config.h"

#include <stdio.h>

#include "rws-client-private.h"
#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define INITIAL_MS 50
#define MAX_MS 200
#define WAIT_MS 8000

#define N_THREADS 4
#define N_PER_THREAD 10000
#define N_TOTAL (N_THREADS * N_PER_THREAD)
#define DELIVERY_TIMEOUT_MS 60000

/* How long a test waits after the expected outcome, to see that nothing
 * unexpected follows. */
#define SETTLE_MS 300

static RwsClient *
create_client (const char *url)
{
  return g_object_new (RWS_TYPE_CLIENT,
                       "url", url,
                       "backoff-initial", INITIAL_MS,
                       "backoff-max", MAX_MS,
                       "backoff-jitter", RWS_JITTER_NONE,
                       "keepalive-interval", 0,
                       "watch-network", FALSE,
                       NULL);
}

static void
close_and_finalize (RwsClient   *client,
                    RwsRecorder *recorder)
{
  rws_client_close (client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_CLOSED, WAIT_MS));
  rws_recorder_free (recorder);
  g_assert_finalize_object (client);
}

/* Senders */

typedef struct
{
  RwsClient *client;
  guint index;
  /* Sleep this long after every 100 messages, so that sending spans the
   * moment the connection comes up. */
  guint pause_us;
  guint failures;
  GThread *thread;
} Sender;

static gpointer
sender_main (gpointer user_data)
{
  Sender *sender = user_data;

  for (guint n = 0; n < N_PER_THREAD; n++)
    {
      g_autoptr(GError) error = NULL;
      char text[32];

      g_snprintf (text, sizeof text, "t%u-%u", sender->index, n);
      if (!rws_client_send_text (sender->client, text, &error))
        sender->failures++;

      if (sender->pause_us > 0 && n % 100 == 99)
        g_usleep (sender->pause_us);
    }

  return NULL;
}

static void
start_senders (Sender    *senders,
               RwsClient *client,
               guint      pause_us)
{
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_autofree char *name = g_strdup_printf ("sender-%u", i);

      senders[i].client = client;
      senders[i].index = i;
      senders[i].pause_us = pause_us;
      senders[i].failures = 0;
      senders[i].thread = g_thread_new (name, sender_main, &senders[i]);
    }
}

static void
join_senders (Sender *senders)
{
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (senders[i].thread);
      senders[i].thread = NULL;
      g_assert_cmpuint (senders[i].failures, ==, 0);
    }
}

/* Asserts that the server received every message of every sender once,
 * and those of each sender in the order it sent them. */
static void
assert_per_thread_order (RwsTestServer *server)
{
  g_autoptr(GPtrArray) received = rws_test_server_dup_received (server);
  guint next[N_THREADS] = { 0 };

  g_assert_cmpuint (received->len, ==, N_TOTAL);

  for (guint i = 0; i < received->len; i++)
    {
      const char *text = g_ptr_array_index (received, i);
      guint thread;
      guint n;
      char end;

      if (sscanf (text, "t%u-%u%c", &thread, &n, &end) != 2)
        g_error ("Unexpected message %u: “%s”", i, text);

      g_assert_cmpuint (thread, <, N_THREADS);
      g_assert_cmpuint (n, ==, next[thread]);
      next[thread]++;
    }

  for (guint i = 0; i < N_THREADS; i++)
    g_assert_cmpuint (next[i], ==, N_PER_THREAD);
}

static void
assert_all_sent (RwsClient *client)
{
  g_autoptr(RwsStats) stats = rws_client_get_stats (client);

  g_assert_cmpuint (stats->accepted, ==, N_TOTAL);
  g_assert_cmpuint (stats->messages_out, ==, N_TOTAL);
  g_assert_cmpuint (stats->queued, ==, 0);
  g_assert_cmpuint (stats->dropped, ==, 0);
}

/* Four threads send while the client is READY; the main thread only runs
 * the main loop. */
static void
test_threads_steady (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  RwsClient *client = create_client (url);
  RwsRecorder *recorder = rws_recorder_new (client);
  Sender senders[N_THREADS];
  gint64 started;

  rws_client_start (client);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_READY, WAIT_MS));

  started = g_get_monotonic_time ();
  start_senders (senders, client, 0);
  g_assert_true (rws_test_server_wait_received (server, N_TOTAL, DELIVERY_TIMEOUT_MS));
  join_senders (senders);
  g_test_message ("%u messages delivered in %" G_GINT64_FORMAT " ms",
                  N_TOTAL, (g_get_monotonic_time () - started) / 1000);
  rws_test_wait_ms (SETTLE_MS);

  assert_per_thread_order (server);
  assert_all_sent (client);
  g_assert_cmpuint (recorder->disconnected, ==, 0);

  close_and_finalize (client, recorder);
}

/* Four threads send while the server rejects every upgrade for a second,
 * and go on sending while the connection comes up. */
static void
test_threads_refused_start (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  RwsClient *client = create_client (url);
  RwsRecorder *recorder = rws_recorder_new (client);
  Sender senders[N_THREADS];
  g_autoptr(RwsStats) offline_stats = NULL;

  rws_client_set_queue_limit (client, 50000);
  rws_test_server_refuse (server, 503, NULL, -1);
  rws_client_start (client);

  /* Each sender pauses 100 times for 20 ms, so it sends for about 2 s. */
  start_senders (senders, client, 20000);
  rws_test_wait_ms (1000);
  g_assert_cmpuint (recorder->ready, ==, 0);
  offline_stats = rws_client_get_stats (client);
  g_test_message ("queued after 1 s offline: %" G_GUINT64_FORMAT, offline_stats->queued);
  g_assert_cmpuint (offline_stats->queued, >, 0);
  g_assert_cmpuint (offline_stats->messages_out, ==, 0);
  g_assert_cmpuint (rws_test_server_get_received_count (server), ==, 0);

  rws_test_server_refuse (server, 503, NULL, 0);
  g_assert_true (rws_test_server_wait_received (server, N_TOTAL, DELIVERY_TIMEOUT_MS));
  join_senders (senders);
  rws_test_wait_ms (SETTLE_MS);

  assert_per_thread_order (server);
  assert_all_sent (client);
  g_assert_cmpuint (rws_test_server_get_connections (server), ==, 1);
  g_assert_cmpuint (recorder->ready, ==, 1);

  close_and_finalize (client, recorder);
}

/* Re-entrancy tests: a handler of each signal closes the client,
 * reconnects it or drops the last reference to it. */

typedef enum
{
  ACTION_CLOSE,
  ACTION_RECONNECT,
  ACTION_UNREF,
} Action;

/* How the test makes the client emit the signal under test. */
typedef enum
{
  PROVOKE_START,         /* start the client */
  PROVOKE_MESSAGE,       /* the server sends a text message */
  PROVOKE_DROP,          /* the server drops the connection */
  PROVOKE_CLOSE_1011,    /* the server closes with 1011 */
  PROVOKE_CLIENT_CLOSE,  /* the test calls rws_client_close() */
} Provoke;

typedef struct
{
  const char *name;
  const char *signal;
  Provoke provoke;
  Action action;
  /* For ACTION_RECONNECT: whether the client becomes READY again. A
   * reconnect while the client is CLOSING is ignored. */
  gboolean ready_again;
} ReentrancyCase;

static const ReentrancyCase reentrancy_cases[] = {
  { "prepare-handshake/close", "prepare-handshake", PROVOKE_START, ACTION_CLOSE, FALSE },
  { "prepare-handshake/reconnect", "prepare-handshake", PROVOKE_START, ACTION_RECONNECT, TRUE },
  { "prepare-handshake/unref", "prepare-handshake", PROVOKE_START, ACTION_UNREF, FALSE },
  { "connected/close", "connected", PROVOKE_START, ACTION_CLOSE, FALSE },
  { "connected/reconnect", "connected", PROVOKE_START, ACTION_RECONNECT, TRUE },
  { "connected/unref", "connected", PROVOKE_START, ACTION_UNREF, FALSE },
  { "ready/close", "ready", PROVOKE_START, ACTION_CLOSE, FALSE },
  { "ready/reconnect", "ready", PROVOKE_START, ACTION_RECONNECT, TRUE },
  { "ready/unref", "ready", PROVOKE_START, ACTION_UNREF, FALSE },
  { "message/close", "message", PROVOKE_MESSAGE, ACTION_CLOSE, FALSE },
  { "message/reconnect", "message", PROVOKE_MESSAGE, ACTION_RECONNECT, TRUE },
  { "message/unref", "message", PROVOKE_MESSAGE, ACTION_UNREF, FALSE },
  { "reconnecting/close", "reconnecting", PROVOKE_DROP, ACTION_CLOSE, FALSE },
  { "reconnecting/reconnect", "reconnecting", PROVOKE_DROP, ACTION_RECONNECT, TRUE },
  { "reconnecting/unref", "reconnecting", PROVOKE_DROP, ACTION_UNREF, FALSE },
  { "disconnected/close", "disconnected", PROVOKE_DROP, ACTION_CLOSE, FALSE },
  { "disconnected/reconnect", "disconnected", PROVOKE_DROP, ACTION_RECONNECT, TRUE },
  { "disconnected/unref", "disconnected", PROVOKE_DROP, ACTION_UNREF, FALSE },
  { "disconnected-on-close/close", "disconnected", PROVOKE_CLIENT_CLOSE, ACTION_CLOSE, FALSE },
  { "disconnected-on-close/reconnect", "disconnected", PROVOKE_CLIENT_CLOSE, ACTION_RECONNECT, FALSE },
  /* NOTE: a read after free in this case shows only under valgrind. */
  { "disconnected-on-close/unref", "disconnected", PROVOKE_CLIENT_CLOSE, ACTION_UNREF, FALSE },
  { "error/close", "error", PROVOKE_CLOSE_1011, ACTION_CLOSE, FALSE },
  { "error/reconnect", "error", PROVOKE_CLOSE_1011, ACTION_RECONNECT, TRUE },
  { "error/unref", "error", PROVOKE_CLOSE_1011, ACTION_UNREF, FALSE },
  { "closed/close", "closed", PROVOKE_CLIENT_CLOSE, ACTION_CLOSE, FALSE },
  { "closed/reconnect", "closed", PROVOKE_CLIENT_CLOSE, ACTION_RECONNECT, TRUE },
  { "closed/unref", "closed", PROVOKE_CLIENT_CLOSE, ACTION_UNREF, FALSE },
};

/* Counts signals without holding a reference, so the test can drop the
 * last one from a handler. */
typedef struct
{
  const ReentrancyCase *test_case;
  RwsClient *client;  /* weak pointer */
  GPtrArray *events;
  guint acted;
  guint connected;
  guint disconnected;
  guint ready;
  guint closed;
} Reentry;

static void
reentry_log (Reentry    *reentry,
             const char *event)
{
  g_ptr_array_add (reentry->events, g_strdup (event));
}

static void
log_prepare_handshake (RwsClient   *client,
                       SoupMessage *msg,
                       Reentry     *reentry)
{
  reentry_log (reentry, "prepare-handshake");
}

static void
log_connected (RwsClient *client,
               Reentry   *reentry)
{
  reentry->connected++;
  reentry_log (reentry, "connected");
}

static void
log_ready (RwsClient *client,
           Reentry   *reentry)
{
  reentry->ready++;
  reentry_log (reentry, "ready");
}

static void
log_message (RwsClient  *client,
             RwsMessage *message,
             Reentry    *reentry)
{
  reentry_log (reentry, "message");
}

static void
log_reconnecting (RwsClient *client,
                  guint      attempt,
                  guint      delay_ms,
                  Reentry   *reentry)
{
  reentry_log (reentry, "reconnecting");
}

static void
log_disconnected (RwsClient  *client,
                  guint       code,
                  const char *reason,
                  Reentry    *reentry)
{
  g_autofree char *event = g_strdup_printf ("disconnected:%u", code);

  reentry->disconnected++;
  reentry_log (reentry, event);
}

static void
log_error (RwsClient    *client,
           const GError *error,
           Reentry      *reentry)
{
  g_autofree char *event = g_strdup_printf ("error:%d", error->code);

  reentry_log (reentry, event);
}

static void
log_closed (RwsClient *client,
            Reentry   *reentry)
{
  reentry->closed++;
  reentry_log (reentry, "closed");
}

/* Acts once, on the first emission of the signal under test. */
static void
act (Reentry *reentry)
{
  if (reentry->acted > 0)
    return;

  reentry->acted++;

  reentry_log (reentry, "act");

  switch (reentry->test_case->action)
    {
    case ACTION_CLOSE:
      rws_client_close (reentry->client, 1000, "closed from a handler");
      break;

    case ACTION_RECONNECT:
      rws_client_reconnect (reentry->client);
      break;

    case ACTION_UNREF:
      g_object_unref (reentry->client);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
act_prepare_handshake (RwsClient   *client,
                       SoupMessage *msg,
                       Reentry     *reentry)
{
  act (reentry);
}

static void
act_plain (RwsClient *client,
           Reentry   *reentry)
{
  act (reentry);
}

static void
act_message (RwsClient  *client,
             RwsMessage *message,
             Reentry    *reentry)
{
  act (reentry);
}

static void
act_reconnecting (RwsClient *client,
                  guint      attempt,
                  guint      delay_ms,
                  Reentry   *reentry)
{
  act (reentry);
}

static void
act_disconnected (RwsClient  *client,
                  guint       code,
                  const char *reason,
                  Reentry    *reentry)
{
  act (reentry);
}

static void
act_error (RwsClient    *client,
           const GError *error,
           Reentry      *reentry)
{
  act (reentry);
}

static GCallback
action_handler (const char *signal)
{
  if (g_str_equal (signal, "prepare-handshake"))
    return G_CALLBACK (act_prepare_handshake);
  if (g_str_equal (signal, "message"))
    return G_CALLBACK (act_message);
  if (g_str_equal (signal, "reconnecting"))
    return G_CALLBACK (act_reconnecting);
  if (g_str_equal (signal, "disconnected"))
    return G_CALLBACK (act_disconnected);
  if (g_str_equal (signal, "error"))
    return G_CALLBACK (act_error);

  return G_CALLBACK (act_plain);
}

static gboolean
reentry_acted (gpointer user_data)
{
  Reentry *reentry = user_data;

  return reentry->acted > 0;
}

static gboolean
reentry_finalized (gpointer user_data)
{
  Reentry *reentry = user_data;

  return reentry->client == NULL;
}

typedef struct
{
  Reentry *reentry;
  guint value;
} CountWait;

static gboolean
ready_reached (gpointer user_data)
{
  CountWait *wait = user_data;

  return wait->reentry->ready >= wait->value;
}

static gboolean
closed_reached (gpointer user_data)
{
  CountWait *wait = user_data;

  return wait->reentry->closed >= wait->value;
}

static guint
count_events (Reentry    *reentry,
              const char *event)
{
  guint count = 0;

  for (guint i = 0; i < reentry->events->len; i++)
    if (g_str_equal (g_ptr_array_index (reentry->events, i), event))
      count++;

  return count;
}

/* Returns the last event that is a signal, not the "act" mark. */
static const char *
last_signal (Reentry *reentry)
{
  for (guint i = reentry->events->len; i > 0; i--)
    {
      const char *event = g_ptr_array_index (reentry->events, i - 1);

      if (!g_str_equal (event, "act"))
        return event;
    }

  return NULL;
}

static char *
dump_events (Reentry *reentry)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < reentry->events->len; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (reentry->events, i));
    }

  return g_string_free (text, FALSE);
}

static void
provoke (Reentry       *reentry,
         RwsTestServer *server)
{
  RwsClient *client = reentry->client;
  CountWait ready = { reentry, 1 };

  if (reentry->test_case->provoke == PROVOKE_START)
    {
      rws_client_start (client);
      return;
    }

  rws_client_start (client);
  g_assert_true (rws_test_wait_until (ready_reached, &ready, WAIT_MS));
  g_assert_true (rws_test_server_wait_open_connections (server, 1, WAIT_MS));

  switch (reentry->test_case->provoke)
    {
    case PROVOKE_MESSAGE:
      rws_test_server_send_text (server, "provoke");
      break;

    case PROVOKE_DROP:
      rws_test_server_drop_all (server);
      break;

    case PROVOKE_CLOSE_1011:
      rws_test_server_close_all (server, 1011, "provoke");
      break;

    case PROVOKE_CLIENT_CLOSE:
      rws_client_close (client, 1000, NULL);
      break;

    case PROVOKE_START:
    default:
      g_assert_not_reached ();
    }
}

static void
test_threads_reentrancy (gconstpointer data)
{
  const ReentrancyCase *test_case = data;
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  g_autofree char *events = NULL;
  Reentry reentry = { test_case, NULL, g_ptr_array_new_with_free_func (g_free), 0 };
  CountWait wait = { &reentry, 0 };
  guint closed_expected;

  reentry.client = create_client (url);
  g_object_add_weak_pointer (G_OBJECT (reentry.client), (gpointer *) &reentry.client);

  /* The loggers run before the action handler, so each emission is logged
   * before the handler acts on it. */
  g_signal_connect (reentry.client, "prepare-handshake", G_CALLBACK (log_prepare_handshake), &reentry);
  g_signal_connect (reentry.client, "connected", G_CALLBACK (log_connected), &reentry);
  g_signal_connect (reentry.client, "ready", G_CALLBACK (log_ready), &reentry);
  g_signal_connect (reentry.client, "message", G_CALLBACK (log_message), &reentry);
  g_signal_connect (reentry.client, "reconnecting", G_CALLBACK (log_reconnecting), &reentry);
  g_signal_connect (reentry.client, "disconnected", G_CALLBACK (log_disconnected), &reentry);
  g_signal_connect (reentry.client, "error", G_CALLBACK (log_error), &reentry);
  g_signal_connect (reentry.client, "closed", G_CALLBACK (log_closed), &reentry);
  g_signal_connect (reentry.client, test_case->signal, action_handler (test_case->signal), &reentry);

  provoke (&reentry, server);
  g_assert_true (rws_test_wait_until (reentry_acted, &reentry, WAIT_MS));

  switch (test_case->action)
    {
    case ACTION_CLOSE:
      wait.value = 1;
      g_assert_true (rws_test_wait_until (closed_reached, &wait, WAIT_MS));
      closed_expected = 1;
      break;

    case ACTION_RECONNECT:
      if (test_case->ready_again)
        {
          wait.value = reentry.ready + 1;
          g_assert_true (rws_test_wait_until (ready_reached, &wait, WAIT_MS));
        }
      else
        {
          wait.value = 1;
          g_assert_true (rws_test_wait_until (closed_reached, &wait, WAIT_MS));
        }
      closed_expected = reentry.closed + 1;
      if (rws_client_get_state (reentry.client) != RWS_STATE_CLOSED)
        rws_client_close (reentry.client, 1000, NULL);
      else
        closed_expected = reentry.closed;
      wait.value = closed_expected;
      g_assert_true (rws_test_wait_until (closed_reached, &wait, WAIT_MS));
      break;

    case ACTION_UNREF:
      g_assert_true (rws_test_wait_until (reentry_finalized, &reentry, WAIT_MS));
      closed_expected = reentry.closed;
      break;

    default:
      g_assert_not_reached ();
    }

  /* After the last closed signal the client emits no signal, opens no
   * connection and keeps no socket open. */
  rws_test_wait_ms (SETTLE_MS);
  events = dump_events (&reentry);
  g_test_message ("events: %s", events);

  g_assert_cmpuint (reentry.acted, ==, 1);
  g_assert_cmpuint (reentry.closed, ==, closed_expected);
  if (reentry.closed > 0)
    g_assert_cmpstr (last_signal (&reentry), ==, "closed");
  if (test_case->action != ACTION_UNREF)
    g_assert_cmpint (rws_client_get_state (reentry.client), ==, RWS_STATE_CLOSED);

  /* Each connection that came up ends with exactly one disconnected. A
   * client finalized while connected emits none. */
  if (test_case->action != ACTION_UNREF)
    g_assert_cmpuint (reentry.disconnected, ==, reentry.connected);
  /* An upgrade that the client cancelled as it was finalized may still
   * have been accepted by the server. */
  if (test_case->action == ACTION_UNREF)
    g_assert_cmpuint (count_events (&reentry, "connected"), <=, rws_test_server_get_connections (server));
  else
    g_assert_cmpuint (count_events (&reentry, "connected"), ==, rws_test_server_get_connections (server));

  g_assert_true (rws_test_server_wait_open_connections (server, 0, WAIT_MS));

  if (reentry.client != NULL)
    g_assert_finalize_object (reentry.client);
  g_assert_null (reentry.client);

  g_ptr_array_unref (reentry.events);
}

int
main (int   argc,
      char *argv[])
{
  rws_test_init (&argc, &argv);

  g_test_add_func ("/threads/steady", test_threads_steady);
  g_test_add_func ("/threads/refused-start", test_threads_refused_start);
  for (guint i = 0; i < G_N_ELEMENTS (reentrancy_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/threads/reentrancy/%s", reentrancy_cases[i].name);

      g_test_add_data_func (path, &reentrancy_cases[i], test_threads_reentrancy);
    }

  return g_test_run ();
}
