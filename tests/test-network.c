/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The client follows an injected GNetworkMonitor: no attempt while the
 * endpoint cannot be reached, an attempt at once when it can again. */

#include "config.h"

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

typedef struct
{
  RwsTestServer *server;
  RwsTestNetworkMonitor *monitor;
  RwsClient *client;
  RwsRecorder *recorder;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  gboolean reachable = GPOINTER_TO_INT (data);

  fixture->server = rws_test_server_new ();
  fixture->monitor = rws_test_network_monitor_new (reachable);
  url = rws_test_server_dup_url (fixture->server);
  fixture->client = g_object_new (RWS_TYPE_CLIENT,
                                  "url", url,
                                  "network-monitor", fixture->monitor,
                                  "backoff-initial", 3000,
                                  "backoff-max", 10000,
                                  "backoff-jitter", RWS_JITTER_NONE,
                                  "keepalive-interval", 0,
                                  NULL);
  fixture->recorder = rws_recorder_new (fixture->client);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rws_client_close (fixture->client, 1000, NULL);
  rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS);
  g_clear_pointer (&fixture->recorder, rws_recorder_free);
  g_assert_finalize_object (g_steal_pointer (&fixture->client));
  g_assert_finalize_object (g_steal_pointer (&fixture->monitor));
  g_clear_pointer (&fixture->server, rws_test_server_free);
}

static void
test_network_down_at_start (Fixture       *fixture,
                            gconstpointer  data)
{
  gint64 up_at;

  rws_client_start (fixture->client);

  /* No attempt while the endpoint is unreachable. */
  rws_test_wait_ms (1000);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_WAITING);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 0);
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 0);
  g_assert_cmpuint (rws_test_network_monitor_get_reach_checks (fixture->monitor), >=, 1);

  /* An attempt at once when it is reachable again. */
  up_at = g_get_monotonic_time ();
  rws_test_network_monitor_set_reachable (fixture->monitor, TRUE);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpint ((g_get_monotonic_time () - up_at) / 1000, <, 1000);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 1);
}

static void
test_network_down_while_waiting (Fixture       *fixture,
                                 gconstpointer  data)
{
  gint64 up_at;

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  /* The link goes down with the network: the client waits 3 s of backoff,
   * but the network is gone, so no attempt follows even after it. */
  rws_test_network_monitor_set_reachable (fixture->monitor, FALSE);
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 0), ==, 3000);

  rws_test_wait_ms (3500);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_WAITING);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 1);

  /* Back up: an attempt at once, with the backoff reset. */
  up_at = g_get_monotonic_time ();
  rws_test_network_monitor_set_reachable (fixture->monitor, TRUE);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpint ((g_get_monotonic_time () - up_at) / 1000, <, 1000);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 2);

  rws_recorder_clear (fixture->recorder);
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->last_attempt, ==, 1);
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 0), ==, 3000);
}

static void
test_network_flap_during_backoff (Fixture       *fixture,
                                  gconstpointer  data)
{
  gint64 up_at;

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  /* The server drops the client, which waits 3 s. The network goes down
   * and comes back during that wait: the client tries at once. */
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  rws_test_network_monitor_set_reachable (fixture->monitor, FALSE);
  rws_test_wait_ms (300);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 1);

  up_at = g_get_monotonic_time ();
  rws_test_network_monitor_set_reachable (fixture->monitor, TRUE);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_assert_cmpint ((g_get_monotonic_time () - up_at) / 1000, <, 1000);
}

static void
test_network_connected_stays_up (Fixture       *fixture,
                                 gconstpointer  data)
{
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  /* A monitor change does not drop a working connection: liveness checks
   * decide when a peer is gone. */
  rws_test_network_monitor_set_reachable (fixture->monitor, FALSE);
  rws_test_wait_ms (300);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
  g_assert_cmpuint (fixture->recorder->disconnected, ==, 0);
}

static void
test_network_not_watched (Fixture       *fixture,
                          gconstpointer  data)
{
  rws_client_set_watch_network (fixture->client, FALSE);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpuint (rws_test_network_monitor_get_reach_checks (fixture->monitor), ==, 0);
}

/* A reachability check that fails for another reason than a missing
 * route, such as a host name that does not resolve, does not mean the
 * network is down: the client attempts, and a real failure would count
 * against max-attempts. */
static void
test_network_resolve_failure_attempts (Fixture       *fixture,
                                       gconstpointer  data)
{
  rws_test_network_monitor_set_resolve_fails (fixture->monitor, TRUE);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpuint (rws_test_network_monitor_get_reach_checks (fixture->monitor), ==, 1);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 1);
}

/* The system's monitor judges the endpoint's own address, so a loopback
 * endpoint is reachable whatever the default route. */
static void
test_network_system_monitor_loopback (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  g_autoptr(RwsClient) client = rws_client_new (url);
  g_autoptr(RwsRecorder) recorder = rws_recorder_new (client);

  g_assert_true (rws_client_get_watch_network (client));
  rws_client_start (client);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_READY, WAIT_MS));

  rws_client_close (client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_clear_pointer (&recorder, rws_recorder_free);
  g_assert_finalize_object (g_steal_pointer (&client));
}

int
main (int   argc,
      char *argv[])
{
  rws_test_init (&argc, &argv);

  g_test_add ("/network/down-at-start", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_network_down_at_start, fixture_tear_down);
  g_test_add ("/network/down-while-waiting", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_network_down_while_waiting, fixture_tear_down);
  g_test_add ("/network/flap-during-backoff", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_network_flap_during_backoff, fixture_tear_down);
  g_test_add ("/network/connected-stays-up", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_network_connected_stays_up, fixture_tear_down);
  g_test_add ("/network/not-watched", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_network_not_watched, fixture_tear_down);
  g_test_add ("/network/resolve-failure-attempts", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_network_resolve_failure_attempts, fixture_tear_down);
  g_test_add_func ("/network/system-monitor-loopback", test_network_system_monitor_loopback);

  return g_test_run ();
}
