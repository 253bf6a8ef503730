/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Many reconnects in a row. Afterwards the process has the same number of
 * file descriptors and main-context sources as after the first connect. */

#include "config.h"

#include "rws-client-private.h"
#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

#define N_RECONNECTS 1000
#define N_DROPS 1000

/* How long closing sockets get to finish before resources are counted. */
#define SETTLE_MS 500

typedef struct
{
  RwsTestServer *server;
  RwsClient *client;
  guint ready;
  guint reconnecting;
  guint closed;
  guint max_delay;
} Soak;

static void
on_ready (RwsClient *client,
          Soak      *soak)
{
  soak->ready++;
}

static void
on_reconnecting (RwsClient *client,
                 guint      attempt,
                 guint      delay_ms,
                 Soak      *soak)
{
  soak->reconnecting++;
  soak->max_delay = MAX (soak->max_delay, delay_ms);
}

static void
on_closed (RwsClient *client,
           Soak      *soak)
{
  soak->closed++;
}

typedef struct
{
  const guint *counter;
  guint value;
} CountWait;

static gboolean
count_reached (gpointer user_data)
{
  CountWait *wait = user_data;

  return *wait->counter >= wait->value;
}

static gboolean
wait_count (const guint *counter,
            guint        value)
{
  CountWait wait = { counter, value };

  return rws_test_wait_until (count_reached, &wait, WAIT_MS);
}

/* stable-after 0 resets the backoff on every connection, so every retry
 * waits backoff-initial, 1 ms. */
static void
soak_set_up (Soak *soak)
{
  g_autofree char *url = NULL;

  soak->server = rws_test_server_new ();
  url = rws_test_server_dup_url (soak->server);
  soak->client = g_object_new (RWS_TYPE_CLIENT,
                               "url", url,
                               "backoff-initial", 1,
                               "backoff-max", 100,
                               "backoff-jitter", RWS_JITTER_NONE,
                               "stable-after", 0,
                               "keepalive-interval", 0,
                               "watch-network", FALSE,
                               NULL);
  g_signal_connect (soak->client, "ready", G_CALLBACK (on_ready), soak);
  g_signal_connect (soak->client, "reconnecting", G_CALLBACK (on_reconnecting), soak);
  g_signal_connect (soak->client, "closed", G_CALLBACK (on_closed), soak);
}

static void
soak_tear_down (Soak *soak)
{
  rws_client_close (soak->client, 1000, NULL);
  g_assert_true (wait_count (&soak->closed, 1));
  g_signal_handlers_disconnect_by_data (soak->client, soak);
  g_assert_finalize_object (g_steal_pointer (&soak->client));
  g_clear_pointer (&soak->server, rws_test_server_free);
}

typedef struct
{
  guint fds;
  guint sources;
} Resources;

/* Counts resources once the server has exactly one open connection and
 * closing sockets had time to finish. */
static void
count_resources (Soak      *soak,
                 Resources *resources)
{
  g_assert_true (rws_test_server_wait_open_connections (soak->server, 1, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (rws_test_server_get_open_connections (soak->server), ==, 1);

  resources->fds = rws_test_count_open_fds ();
  resources->sources = rws_test_count_sources (g_main_context_default ());
}

static void
assert_same_resources (Soak            *soak,
                       const Resources *first)
{
  Resources last;

  count_resources (soak, &last);
  g_test_message ("after the first connect: %u fds, %u sources; at the end: %u fds, %u sources",
                  first->fds, first->sources, last.fds, last.sources);
  g_assert_cmpuint (last.fds, ==, first->fds);
  g_assert_cmpuint (last.sources, ==, first->sources);
}

/* After each READY the test calls rws_client_reconnect(), so the client
 * closes the old connection with a close frame and opens a new one. */
static void
test_soak_reconnect (void)
{
  Soak soak = { 0 };
  Resources first;
  g_autoptr(RwsStats) stats = NULL;
  gint64 started;

  soak_set_up (&soak);
  rws_client_start (soak.client);
  g_assert_true (wait_count (&soak.ready, 1));
  count_resources (&soak, &first);

  started = g_get_monotonic_time ();
  for (guint i = 1; i <= N_RECONNECTS; i++)
    {
      rws_client_reconnect (soak.client);
      g_assert_true (wait_count (&soak.ready, i + 1));
    }
  g_test_message ("%u reconnects in %" G_GINT64_FORMAT " ms",
                  N_RECONNECTS, (g_get_monotonic_time () - started) / 1000);

  assert_same_resources (&soak, &first);

  stats = rws_client_get_stats (soak.client);
  g_assert_cmpuint (stats->reconnects, ==, N_RECONNECTS);
  g_assert_cmpuint (soak.reconnecting, ==, N_RECONNECTS);
  g_assert_cmpuint (soak.max_delay, ==, 1);
  g_assert_cmpuint (rws_test_server_get_connections (soak.server), ==, N_RECONNECTS + 1);

  soak_tear_down (&soak);
}

/* The server drops each connection without a close frame. */
static void
test_soak_server_drops (void)
{
  Soak soak = { 0 };
  Resources first;
  g_autoptr(RwsStats) stats = NULL;
  gint64 started;

  soak_set_up (&soak);
  rws_client_start (soak.client);
  g_assert_true (wait_count (&soak.ready, 1));
  count_resources (&soak, &first);

  started = g_get_monotonic_time ();
  for (guint i = 1; i <= N_DROPS; i++)
    {
      g_assert_true (rws_test_server_wait_open_connections (soak.server, 1, WAIT_MS));
      rws_test_server_drop_all (soak.server);
      g_assert_true (wait_count (&soak.ready, i + 1));
    }
  g_test_message ("%u server drops in %" G_GINT64_FORMAT " ms",
                  N_DROPS, (g_get_monotonic_time () - started) / 1000);

  assert_same_resources (&soak, &first);

  stats = rws_client_get_stats (soak.client);
  g_assert_cmpuint (stats->reconnects, ==, N_DROPS);
  g_assert_cmpuint (soak.reconnecting, ==, N_DROPS);
  g_assert_cmpuint (rws_test_server_get_connections (soak.server), ==, N_DROPS + 1);

  soak_tear_down (&soak);
}

int
main (int   argc,
      char *argv[])
{
  rws_test_init (&argc, &argv);

  g_test_add_func ("/soak/reconnect", test_soak_reconnect);
  g_test_add_func ("/soak/server-drops", test_soak_server_drops);

  return g_test_run ();
}
