/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Closing and disposing a client in each state: exactly one `closed`,
 * then no signal, no attempt and no open socket. */

#include "config.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000
#define QUIET_MS 2000

typedef struct
{
  RwsTestServer *server;
  RwsClient *client;
  RwsRecorder *recorder;
} Fixture;

static RwsClient *
create_client (const char *url)
{
  return g_object_new (RWS_TYPE_CLIENT,
                       "url", url,
                       "backoff-initial", 100,
                       "backoff-max", 1000,
                       "backoff-jitter", RWS_JITTER_NONE,
                       "keepalive-interval", 0,
                       "watch-network", FALSE,
                       NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;

  fixture->server = rws_test_server_new ();
  url = rws_test_server_dup_url (fixture->server);
  fixture->client = create_client (url);
  fixture->recorder = rws_recorder_new (fixture->client);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->client != NULL)
    {
      rws_client_close (fixture->client, 1000, NULL);
      rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS);
      g_clear_pointer (&fixture->recorder, rws_recorder_free);
      g_assert_finalize_object (g_steal_pointer (&fixture->client));
    }
  g_clear_pointer (&fixture->server, rws_test_server_free);
}

/* Counts the sockets of this process connected to @port on 127.0.0.1:
 * the client's own connections to a test peer. The peer's side of each
 * connection has @port as its local port and is not counted. */
static guint
count_client_sockets (guint port)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint count = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      struct sockaddr_in peer = { 0 };
      socklen_t length = sizeof peer;

      if (target == NULL || !g_str_has_prefix (target, "socket:"))
        continue;

      if (getpeername (atoi (name), (struct sockaddr *) &peer, &length) == 0 &&
          peer.sin_family == AF_INET && g_ntohs (peer.sin_port) == port)
        count++;
    }

  return count;
}

static gboolean
client_sockets_closed (gpointer user_data)
{
  return count_client_sockets (GPOINTER_TO_UINT (user_data)) == 0;
}

/* After closed: nothing for two seconds, and no client socket left open. */
static void
assert_quiet_after_close (Fixture *fixture,
                          guint    connections)
{
  g_assert_cmpuint (fixture->recorder->closed, ==, 1);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_CLOSED);

  rws_test_wait_ms (QUIET_MS);

  g_assert_cmpuint (fixture->recorder->closed, ==, 1);
  g_assert_false (fixture->recorder->signal_after_closed);
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, connections);
  g_assert_true (rws_test_server_wait_open_connections (fixture->server, 0, WAIT_MS));
  g_assert_true (rws_test_wait_until (client_sockets_closed,
                                      GUINT_TO_POINTER (rws_test_server_get_port (fixture->server)),
                                      WAIT_MS));
}

static void
test_close_disconnected (Fixture       *fixture,
                         gconstpointer  data)
{
  rws_client_close (fixture->client, 1000, NULL);

  g_assert_cmpuint (fixture->recorder->disconnected, ==, 0);
  assert_quiet_after_close (fixture, 0);
}

static void
test_close_connecting (void)
{
  g_autoptr(RwsTestSilentListener) listener = rws_test_silent_listener_new ();
  g_autofree char *url = rws_test_silent_listener_dup_url (listener);
  g_autoptr(RwsClient) client = create_client (url);
  g_autoptr(RwsRecorder) recorder = rws_recorder_new (client);

  rws_client_start (client);
  g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_CONNECTING);
  rws_test_wait_ms (200);
  g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_CONNECTING);

  rws_client_close (client, 1000, NULL);
  g_assert_cmpuint (recorder->closed, ==, 1);

  rws_test_wait_ms (QUIET_MS);
  g_assert_cmpuint (recorder->closed, ==, 1);
  g_assert_false (recorder->signal_after_closed);
  g_assert_cmpuint (recorder->reconnecting, ==, 0);
  g_assert_cmpuint (recorder->errors, ==, 0);
  g_assert_true (rws_test_wait_until (client_sockets_closed,
                                      GUINT_TO_POINTER (rws_test_silent_listener_get_port (listener)),
                                      WAIT_MS));

  g_clear_pointer (&recorder, rws_recorder_free);
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
close_when_connected (RwsClient *client,
                      gpointer   user_data)
{
  g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_OPEN);
  rws_client_close (client, 1000, "closing in open");
}

static void
test_close_open (Fixture       *fixture,
                 gconstpointer  data)
{
  g_signal_connect (fixture->client, "connected", G_CALLBACK (close_when_connected), NULL);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->ready, ==, 0);
  g_assert_true (rws_recorder_has_event (fixture->recorder, "state:closing"));
  assert_quiet_after_close (fixture, 1);
  g_assert_cmpuint (rws_test_server_get_last_close_code (fixture->server), ==, 1000);
}

static void
test_close_ready (Fixture       *fixture,
                  gconstpointer  data)
{
  gint64 started;

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  started = g_get_monotonic_time ();
  rws_client_close (fixture->client, 1000, "done");
  /* close never blocks: it returns at once and finishes on the server's
   * close frame. */
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, <, 50);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_CLOSING);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_assert_true (rws_recorder_has_event (fixture->recorder, "disconnected:1000"));
  assert_quiet_after_close (fixture, 1);
  g_assert_cmpuint (rws_test_server_get_last_close_code (fixture->server), ==, 1000);
}

static void
test_close_waiting (Fixture       *fixture,
                    gconstpointer  data)
{
  rws_test_server_refuse (fixture->server, 503, NULL, -1);
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_WAITING, WAIT_MS));

  rws_client_close (fixture->client, 1000, NULL);
  assert_quiet_after_close (fixture, 0);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 1);
}

static void
test_close_failed (Fixture       *fixture,
                   gconstpointer  data)
{
  rws_test_server_refuse (fixture->server, 403, NULL, -1);
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_FAILED, WAIT_MS));

  rws_client_close (fixture->client, 1000, NULL);
  assert_quiet_after_close (fixture, 0);
}

/* A server that does not reply to the close frame is cut after 2 s. */
static void
test_close_unanswered (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 started;
  gint64 elapsed_ms;

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  rws_test_server_freeze (fixture->server, 3500);
  started = g_get_monotonic_time ();
  rws_client_close (fixture->client, 1000, NULL);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_CLOSING);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;

  g_assert_cmpint (elapsed_ms, >=, 1900);
  g_assert_cmpint (elapsed_ms, <, 3000);
  g_assert_cmpuint (fixture->recorder->closed, ==, 1);
  rws_test_wait_ms (2000);
  g_assert_false (fixture->recorder->signal_after_closed);
}

static void
test_close_twice (Fixture       *fixture,
                  gconstpointer  data)
{
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  rws_client_close (fixture->client, 1000, NULL);
  rws_client_close (fixture->client, 1001, NULL);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  rws_client_close (fixture->client, 1000, NULL);

  assert_quiet_after_close (fixture, 1);
}

static void
test_start_after_close (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) received = NULL;

  rws_test_server_set_echo (fixture->server, TRUE);
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  rws_client_close (fixture->client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));

  /* Messages sent while closed wait for the next start. */
  g_assert_true (rws_client_send_text (fixture->client, "while-closed", NULL));
  rws_test_wait_ms (200);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 0);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_assert_true (rws_test_server_wait_received (fixture->server, 1, WAIT_MS));
  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpstr (g_ptr_array_index (received, 0), ==, "while-closed");
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->connected, 2, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);
}

static void
start_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  int *outcome = user_data;
  g_autoptr(GError) error = NULL;

  if (rws_client_start_finish (RWS_CLIENT (source), result, &error))
    *outcome = 1;
  else if (g_error_matches (error, RWS_ERROR, RWS_ERROR_CLOSED))
    *outcome = 2;
  else
    *outcome = 3;
}

static gboolean
outcome_set (gpointer user_data)
{
  return *(int *) user_data != 0;
}

static void
test_start_async (Fixture       *fixture,
                  gconstpointer  data)
{
  int outcome = 0;

  rws_client_start_async (fixture->client, NULL, start_ready_cb, &outcome);
  g_assert_true (rws_test_wait_until (outcome_set, &outcome, WAIT_MS));
  g_assert_cmpint (outcome, ==, 1);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);

  /* Closed before ready: the task fails with RWS_ERROR_CLOSED. */
  rws_client_close (fixture->client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  rws_test_server_refuse (fixture->server, 503, NULL, -1);
  outcome = 0;
  rws_client_start_async (fixture->client, NULL, start_ready_cb, &outcome);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_WAITING, WAIT_MS));
  rws_client_close (fixture->client, 1000, NULL);
  g_assert_true (rws_test_wait_until (outcome_set, &outcome, WAIT_MS));
  g_assert_cmpint (outcome, ==, 2);
}

typedef enum
{
  DISPOSE_CONNECTING,
  DISPOSE_READY,
  DISPOSE_WAITING,
  DISPOSE_CLOSING,
} DisposeState;

static void
test_dispose (Fixture       *fixture,
              gconstpointer  data)
{
  DisposeState state = GPOINTER_TO_INT (data);
  RwsClient *client = g_steal_pointer (&fixture->client);

  g_clear_pointer (&fixture->recorder, rws_recorder_free);

  switch (state)
    {
    case DISPOSE_CONNECTING:
      rws_test_server_freeze (fixture->server, 1000);
      rws_client_start (client);
      g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_CONNECTING);
      break;

    case DISPOSE_READY:
      rws_client_start (client);
      g_assert_true (rws_test_server_wait_connections (fixture->server, 1, WAIT_MS));
      rws_test_wait_ms (100);
      g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_READY);
      rws_client_send_text (client, "queued", NULL);
      break;

    case DISPOSE_WAITING:
      rws_test_server_refuse (fixture->server, 503, NULL, -1);
      rws_client_start (client);
      while (rws_client_get_state (client) != RWS_STATE_WAITING)
        g_main_context_iteration (NULL, TRUE);
      rws_client_send_text (client, "queued", NULL);
      break;

    case DISPOSE_CLOSING:
      rws_client_start (client);
      g_assert_true (rws_test_server_wait_connections (fixture->server, 1, WAIT_MS));
      rws_test_wait_ms (100);
      rws_test_server_freeze (fixture->server, 1000);
      rws_client_close (client, 1000, NULL);
      g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_CLOSING);
      break;

    default:
      g_assert_not_reached ();
    }

  g_assert_finalize_object (client);

  /* Nothing of the client stays behind: its socket closes and no timer
   * of it fires into freed memory while the loop runs on. */
  rws_test_wait_ms (1500);
  g_assert_true (rws_test_server_wait_open_connections (fixture->server, 0, WAIT_MS));
  g_assert_true (rws_test_wait_until (client_sockets_closed,
                                      GUINT_TO_POINTER (rws_test_server_get_port (fixture->server)),
                                      WAIT_MS));
}

#define ADD(path, func, data) \
  g_test_add ((path), Fixture, (data), fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  rws_test_init (&argc, &argv);

  ADD ("/lifecycle/close/disconnected", test_close_disconnected, NULL);
  g_test_add_func ("/lifecycle/close/connecting", test_close_connecting);
  ADD ("/lifecycle/close/open", test_close_open, NULL);
  ADD ("/lifecycle/close/ready", test_close_ready, NULL);
  ADD ("/lifecycle/close/waiting", test_close_waiting, NULL);
  ADD ("/lifecycle/close/failed", test_close_failed, NULL);
  ADD ("/lifecycle/close/unanswered", test_close_unanswered, NULL);
  ADD ("/lifecycle/close/twice", test_close_twice, NULL);
  ADD ("/lifecycle/start-after-close", test_start_after_close, NULL);
  ADD ("/lifecycle/start-async", test_start_async, NULL);
  ADD ("/lifecycle/dispose/connecting", test_dispose, GINT_TO_POINTER (DISPOSE_CONNECTING));
  ADD ("/lifecycle/dispose/ready", test_dispose, GINT_TO_POINTER (DISPOSE_READY));
  ADD ("/lifecycle/dispose/waiting", test_dispose, GINT_TO_POINTER (DISPOSE_WAITING));
  ADD ("/lifecycle/dispose/closing", test_dispose, GINT_TO_POINTER (DISPOSE_CLOSING));

  return g_test_run ();
}
