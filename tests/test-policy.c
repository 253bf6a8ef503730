/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How the client reacts to each server behaviour: the state it reaches, the
 * signals it emits, the error code and the delay before the next attempt.
 * Backoff jitter is off, so delays are exact: 100 ms, then 200 ms, ... */

#include "config.h"

#include "rws-client-private.h"
#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define INITIAL_MS 100
#define MAX_MS 5000
#define WAIT_MS 8000

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
                       "backoff-initial", INITIAL_MS,
                       "backoff-max", MAX_MS,
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
  g_autofree char *events = rws_recorder_dump (fixture->recorder);

  g_test_message ("events: %s", events);

  rws_client_close (fixture->client, 1000, NULL);
  rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS);
  g_clear_pointer (&fixture->recorder, rws_recorder_free);
  g_assert_finalize_object (g_steal_pointer (&fixture->client));
  g_clear_pointer (&fixture->server, rws_test_server_free);
}

static void
start_and_wait_ready (Fixture *fixture)
{
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
}

static guint
last_delay (Fixture *fixture)
{
  g_assert_cmpuint (fixture->recorder->delays->len, >, 0);

  return g_array_index (fixture->recorder->delays, guint, fixture->recorder->delays->len - 1);
}

static void
test_policy_drop_without_close_frame (Fixture       *fixture,
                                      gconstpointer  data)
{
  start_and_wait_ready (fixture);
  rws_recorder_clear (fixture->recorder);

  rws_test_server_drop_all (fixture->server);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->disconnected, ==, 1);
  g_assert_cmpuint (fixture->recorder->last_close_code, ==, 1006);
  g_assert_cmpuint (fixture->recorder->last_attempt, ==, 1);
  g_assert_cmpuint (last_delay (fixture), ==, INITIAL_MS);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_true (rws_test_server_wait_connections (fixture->server, 2, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);
  g_assert_true (rws_recorder_has_event (fixture->recorder, "state:waiting"));
  g_assert_true (rws_recorder_has_event (fixture->recorder, "state:connecting"));
}

typedef struct
{
  gushort code;
  gboolean fatal;
  gboolean reported;  /* emits an error signal */
  gushort seen_code;  /* the code the client reports */
} CloseCase;

/* NOTE: libsoup 3.2.3 treats close codes 1012 and 1013, which RFC 6455
 * left unassigned and IANA registered later, as a protocol error. It
 * replies with 1002 and reports 1002, and the client still reconnects. */
static const CloseCase close_cases[] = {
  { 1000, FALSE, FALSE, 1000 },
  { 1001, FALSE, FALSE, 1001 },
  { 1008, TRUE, TRUE, 1008 },
  { 1011, FALSE, TRUE, 1011 },
  { 1012, FALSE, TRUE, 1002 },
  { 4000, FALSE, TRUE, 4000 },
};

static void
test_policy_close_code (Fixture       *fixture,
                        gconstpointer  data)
{
  const CloseCase *c = data;
  g_autofree char *expected = g_strdup_printf ("disconnected:%u", c->seen_code);
  const GError *last_error;

  start_and_wait_ready (fixture);
  rws_recorder_clear (fixture->recorder);

  rws_test_server_close_all (fixture->server, c->code, "test");

  if (c->fatal)
    {
      g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_FAILED, WAIT_MS));
      g_assert_cmpuint (fixture->recorder->reconnecting, ==, 0);
      g_assert_cmpuint (fixture->recorder->errors, ==, 1);
      g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_CLOSED_BY_PEER);

      /* Nothing more happens in FAILED. */
      rws_test_wait_ms (500);
      g_assert_true (rws_test_server_wait_connections (fixture->server, 1, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);
    }
  else
    {
      g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
      g_assert_cmpuint (last_delay (fixture), ==, INITIAL_MS);
      g_assert_cmpuint (fixture->recorder->errors, ==, c->reported ? 1 : 0);
      if (c->reported)
        g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_CLOSED_BY_PEER);
      g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
      g_assert_true (rws_test_server_wait_connections (fixture->server, 2, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);
    }

  if (!rws_recorder_has_event (fixture->recorder, expected))
    {
      g_autofree char *events = rws_recorder_dump (fixture->recorder);

      g_test_message ("events: %s", events);
    }
  g_assert_true (rws_recorder_has_event (fixture->recorder, expected));
  g_assert_cmpuint (fixture->recorder->last_close_code, ==, c->seen_code);

  last_error = rws_client_get_last_error (fixture->client);
  g_assert_nonnull (last_error);
  g_assert_true (g_error_matches (last_error, RWS_ERROR, RWS_ERROR_CLOSED_BY_PEER));
}

/* A close with 1000 retries but counts as a failed attempt: a second one
 * before stable-after doubles the delay. */
static void
test_policy_close_normal_counts_as_failure (Fixture       *fixture,
                                            gconstpointer  data)
{
  start_and_wait_ready (fixture);
  rws_recorder_clear (fixture->recorder);

  rws_test_server_close_all (fixture->server, 1000, NULL);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 1, WAIT_MS));
  rws_test_server_close_all (fixture->server, 1000, NULL);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 2, WAIT_MS));

  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 0), ==, INITIAL_MS);
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 1), ==, INITIAL_MS * 2);
  g_assert_cmpuint (fixture->recorder->last_attempt, ==, 2);
}

typedef struct
{
  guint status;
  const char *retry_after;
  gboolean fatal;
  guint expected_delay;
} StatusCase;

static const StatusCase status_cases[] = {
  { 401, NULL, TRUE, 0 },
  { 403, NULL, TRUE, 0 },
  { 404, NULL, TRUE, 0 },
  { 429, "2", FALSE, 2000 },
  { 503, NULL, FALSE, INITIAL_MS },
  { 500, NULL, FALSE, INITIAL_MS },
};

static void
test_policy_http_status (Fixture       *fixture,
                         gconstpointer  data)
{
  const StatusCase *c = data;

  rws_test_server_refuse (fixture->server, c->status, c->retry_after, 1);
  rws_client_start (fixture->client);

  if (c->fatal)
    {
      g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_FAILED, WAIT_MS));
      g_assert_cmpuint (fixture->recorder->reconnecting, ==, 0);
      g_assert_cmpuint (fixture->recorder->connected, ==, 0);
      g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_HANDSHAKE_FAILED);
      g_assert_cmpuint (rws_client_get_http_status (fixture->client), ==, c->status);

      rws_test_wait_ms (300);
      g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 1);
      return;
    }

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpuint (last_delay (fixture), ==, c->expected_delay);
  g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_HANDSHAKE_FAILED);
  g_assert_cmpuint (rws_client_get_http_status (fixture->client), ==, c->status);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_WAITING);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpuint (rws_client_get_http_status (fixture->client), ==, 101);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 2);
}

static void
test_policy_retry_after_capped (Fixture       *fixture,
                                gconstpointer  data)
{
  rws_client_set_backoff_max (fixture->client, 1500);
  rws_test_server_refuse (fixture->server, 503, "120", 1);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpuint (last_delay (fixture), ==, 1500);
}

static void
test_policy_fatal_with_handshake_handler (Fixture       *fixture,
                                          gconstpointer  data)
{
  rws_recorder_watch_handshake (fixture->recorder);
  rws_client_set_backoff_max (fixture->client, 700);
  rws_test_server_refuse (fixture->server, 401, NULL, 1);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpuint (last_delay (fixture), ==, 700);
  g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_HANDSHAKE_FAILED);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->prepare_handshake, ==, 2);
}

static void
set_token_header (RwsClient   *client,
                  SoupMessage *msg,
                  gpointer     user_data)
{
  guint *calls = user_data;
  g_autofree char *value = g_strdup_printf ("Bearer token-%u", ++(*calls));

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
}

static void
test_policy_prepare_handshake_headers (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *custom = NULL;
  guint calls = 0;

  rws_client_set_header (fixture->client, "X-Rws-Test", "yes");
  g_signal_connect (fixture->client, "prepare-handshake", G_CALLBACK (set_token_header), &calls);

  start_and_wait_ready (fixture);
  token = rws_test_server_dup_last_header (fixture->server, "Authorization");
  custom = rws_test_server_dup_last_header (fixture->server, "X-Rws-Test");
  g_assert_cmpstr (token, ==, "Bearer token-1");
  g_assert_cmpstr (custom, ==, "yes");

  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_clear_pointer (&token, g_free);
  token = rws_test_server_dup_last_header (fixture->server, "Authorization");
  g_assert_cmpstr (token, ==, "Bearer token-2");
}

static void
test_policy_handshake_timeout (void)
{
  g_autoptr(RwsTestSilentListener) listener = rws_test_silent_listener_new ();
  g_autofree char *url = rws_test_silent_listener_dup_url (listener);
  g_autoptr(RwsClient) client = create_client (url);
  g_autoptr(RwsRecorder) recorder = rws_recorder_new (client);
  gint64 started;
  gint64 elapsed_ms;

  rws_client_set_handshake_timeout (client, 300);
  started = g_get_monotonic_time ();
  rws_client_start (client);

  g_assert_true (rws_recorder_wait_count (recorder, &recorder->reconnecting, 1, WAIT_MS));
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;

  g_assert_error (recorder->last_error, RWS_ERROR, RWS_ERROR_HANDSHAKE_TIMEOUT);
  g_assert_cmpint (elapsed_ms, >=, 300);
  g_assert_cmpint (elapsed_ms, <, 2000);
  g_assert_cmpuint (g_array_index (recorder->delays, guint, 0), ==, INITIAL_MS);
  g_assert_cmpuint (rws_client_get_http_status (client), ==, 0);
  g_assert_cmpuint (recorder->connected, ==, 0);

  /* The next attempt times out too: no attempt stays in CONNECTING. */
  g_assert_true (rws_recorder_wait_count (recorder, &recorder->reconnecting, 2, WAIT_MS));
  g_assert_cmpuint (g_array_index (recorder->delays, guint, 1), ==, INITIAL_MS * 2);

  rws_client_close (client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_clear_pointer (&recorder, rws_recorder_free);
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_policy_pong_timeout (Fixture       *fixture,
                          gconstpointer  data)
{
  gint64 frozen_at;
  gint64 elapsed_ms;

  rws_client_set_keepalive_interval (fixture->client, 1000);
  rws_client_set_pong_timeout (fixture->client, 500);
  start_and_wait_ready (fixture);

  /* Pongs arrive while the server runs: no timeout for 2.5 s. */
  rws_test_wait_ms (2500);
  g_assert_cmpuint (fixture->recorder->disconnected, ==, 0);

  rws_recorder_clear (fixture->recorder);
  frozen_at = g_get_monotonic_time ();
  rws_test_server_freeze (fixture->server, 4000);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  elapsed_ms = (g_get_monotonic_time () - frozen_at) / 1000;

  g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_PEER_TIMEOUT);
  g_assert_cmpuint (fixture->recorder->last_close_code, ==, 1006);
  /* The last pong came at most one interval before the freeze. */
  g_assert_cmpint (elapsed_ms, >=, 400);
  /* Up to one interval since the last pong, one second of libsoup timer
   * slack, the pong timeout, and some scheduling margin. */
  g_assert_cmpint (elapsed_ms, <=, 1000 + 1000 + 500 + 500);
  g_assert_cmpuint (last_delay (fixture), ==, INITIAL_MS);

  /* After the freeze the client connects again. */
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
}

typedef struct
{
  RwsTestServer *server;
  RwsClient *client;
  guint ticks;
} Ticker;

static gboolean
server_tick (gpointer user_data)
{
  Ticker *ticker = user_data;

  rws_test_server_send_text (ticker->server, "tick");
  ticker->ticks++;

  return G_SOURCE_CONTINUE;
}

static gboolean
client_tick (gpointer user_data)
{
  Ticker *ticker = user_data;

  rws_client_send_text (ticker->client, "tick", NULL);
  ticker->ticks++;

  return G_SOURCE_CONTINUE;
}

static void
test_policy_idle_timeout (Fixture       *fixture,
                          gconstpointer  data)
{
  Ticker ticker = { fixture->server, fixture->client, 0 };
  guint source;
  gint64 started;
  gint64 elapsed_ms;

  rws_client_set_idle_timeout (fixture->client, 600);
  start_and_wait_ready (fixture);

  /* Incoming frames every 150 ms keep the connection alive. */
  source = g_timeout_add (150, server_tick, &ticker);
  rws_test_wait_ms (1800);
  g_source_remove (source);
  g_assert_cmpuint (ticker.ticks, >=, 8);
  g_assert_cmpuint (fixture->recorder->disconnected, ==, 0);

  /* Outgoing frames do not: the deadline runs from incoming frames only. */
  rws_recorder_clear (fixture->recorder);
  ticker.ticks = 0;
  started = g_get_monotonic_time ();
  source = g_timeout_add (100, client_tick, &ticker);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_source_remove (source);
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;

  g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_PEER_TIMEOUT);
  g_assert_cmpint (elapsed_ms, >=, 300);
  g_assert_cmpint (elapsed_ms, <, 1500);
  g_assert_cmpuint (ticker.ticks, >=, 3);
}

static void
start_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (rws_client_start_finish (RWS_CLIENT (source), result, error));
  g_assert_nonnull (*error);
}

static void
test_policy_max_attempts (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) start_error = NULL;

  rws_client_set_max_attempts (fixture->client, 3);
  rws_test_server_refuse (fixture->server, 503, NULL, -1);
  rws_client_start_async (fixture->client, NULL, start_done, &start_error);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_FAILED, WAIT_MS));
  g_assert_nonnull (start_error);
  g_assert_error (start_error, RWS_ERROR, RWS_ERROR_HANDSHAKE_FAILED);

  rws_test_wait_ms (500);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 3);
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 2);
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 0), ==, INITIAL_MS);
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 1), ==, INITIAL_MS * 2);

  /* start after FAILED starts over with a fresh count. */
  rws_test_server_refuse (fixture->server, 503, NULL, 0);
  start_and_wait_ready (fixture);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 4);
}

/* A connection that closes at once never resets the backoff; one that
 * stays up for stable-after does. */
static void
test_policy_stable_after (Fixture       *fixture,
                          gconstpointer  data)
{
  rws_client_set_stable_after (fixture->client, 400);
  rws_test_server_set_close_on_open (fixture->server, 1011);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 4, WAIT_MS));
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 0), ==, INITIAL_MS);
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 1), ==, INITIAL_MS * 2);
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 2), ==, INITIAL_MS * 4);
  g_assert_cmpuint (g_array_index (fixture->recorder->delays, guint, 3), ==, INITIAL_MS * 8);

  rws_test_server_set_close_on_open (fixture->server, 0);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  rws_test_wait_ms (700);

  rws_recorder_clear (fixture->recorder);
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpuint (last_delay (fixture), ==, INITIAL_MS);
  g_assert_cmpuint (fixture->recorder->last_attempt, ==, 1);
}

static void
test_policy_fallback_urls (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(RwsTestSilentListener) listener = rws_test_silent_listener_new ();
  g_autofree char *primary = rws_test_silent_listener_dup_url (listener);
  g_autofree char *fallback = rws_test_server_dup_url (fixture->server);
  const char *fallbacks[] = { fallback, NULL };

  rws_client_set_url (fixture->client, primary);
  rws_client_set_fallback_urls (fixture->client, fallbacks);
  rws_client_set_handshake_timeout (fixture->client, 300);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 1);
  g_assert_true (rws_recorder_has_event (fixture->recorder, "error:2"));
  g_assert_true (rws_test_server_wait_connections (fixture->server, 1, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);
}

static void
test_policy_connection_refused (Fixture       *fixture,
                                gconstpointer  data)
{
  guint port;
  g_autofree char *url = NULL;

  /* A port that was just free: nothing listens there. */
  {
    g_autoptr(RwsTestSilentListener) listener = rws_test_silent_listener_new ();

    port = rws_test_silent_listener_get_port (listener);
  }
  url = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  rws_client_set_url (fixture->client, url);
  rws_client_set_max_attempts (fixture->client, 2);
  rws_client_start (fixture->client);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_FAILED, WAIT_MS));
  g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_CONNECTION_FAILED);
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 1);
  g_assert_cmpuint (rws_client_get_http_status (fixture->client), ==, 0);
}

static void
test_policy_invalid_url (void)
{
  const char *urls[] = { "http://127.0.0.1:1/", "not a url", "ws://", "", NULL };

  for (guint i = 0; urls[i] != NULL; i++)
    {
      g_autoptr(RwsClient) client = create_client (urls[i]);
      g_autoptr(RwsRecorder) recorder = rws_recorder_new (client);

      rws_client_start (client);

      g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_FAILED);
      g_assert_error (recorder->last_error, RWS_ERROR, RWS_ERROR_INVALID_URL);
      g_assert_cmpuint (recorder->reconnecting, ==, 0);
      if (*urls[i] != '\0')
        g_assert_nonnull (strstr (recorder->last_error->message, urls[i]));

      g_clear_pointer (&recorder, rws_recorder_free);
      g_assert_finalize_object (g_steal_pointer (&client));
    }
}

/* A pong timeout and a read error at the same moment give one new
 * connection, never two. */
static void
test_policy_one_attempt_in_flight (Fixture       *fixture,
                                   gconstpointer  data)
{
  start_and_wait_ready (fixture);
  rws_recorder_clear (fixture->recorder);

  rws_client_inject_peer_timeout (fixture->client);
  rws_client_inject_read_error (fixture->client);
  rws_client_reconnect (fixture->client);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  rws_test_wait_ms (500);

  g_assert_cmpuint (fixture->recorder->disconnected, ==, 1);
  g_assert_cmpuint (fixture->recorder->connected, ==, 1);
  g_assert_true (rws_test_server_wait_connections (fixture->server, 2, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);
  g_assert_true (rws_test_server_wait_open_connections (fixture->server, 1, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_open_connections (fixture->server), ==, 1);
}

static void
test_policy_reconnect_method (Fixture       *fixture,
                              gconstpointer  data)
{
  start_and_wait_ready (fixture);
  rws_recorder_clear (fixture->recorder);

  rws_client_reconnect (fixture->client);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->disconnected, ==, 1);
  g_assert_cmpuint (fixture->recorder->last_close_code, ==, 1000);
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 1);
  g_assert_true (rws_test_server_wait_connections (fixture->server, 2, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);
  g_assert_true (rws_test_server_wait_open_connections (fixture->server, 1, WAIT_MS));
  g_assert_cmpuint (rws_test_server_get_last_close_code (fixture->server), ==, 1000);
}

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  rws_test_init (&argc, &argv);

  ADD ("/policy/drop-without-close-frame", test_policy_drop_without_close_frame);
  for (guint i = 0; i < G_N_ELEMENTS (close_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/policy/close/%u", close_cases[i].code);

      g_test_add (path, Fixture, &close_cases[i], fixture_set_up, test_policy_close_code, fixture_tear_down);
    }
  ADD ("/policy/close/1000-counts-as-failure", test_policy_close_normal_counts_as_failure);
  for (guint i = 0; i < G_N_ELEMENTS (status_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/policy/http/%u", status_cases[i].status);

      g_test_add (path, Fixture, &status_cases[i], fixture_set_up, test_policy_http_status, fixture_tear_down);
    }
  ADD ("/policy/http/retry-after-capped", test_policy_retry_after_capped);
  ADD ("/policy/http/fatal-with-handshake-handler", test_policy_fatal_with_handshake_handler);
  ADD ("/policy/prepare-handshake-headers", test_policy_prepare_handshake_headers);
  g_test_add_func ("/policy/handshake-timeout", test_policy_handshake_timeout);
  ADD ("/policy/pong-timeout", test_policy_pong_timeout);
  ADD ("/policy/idle-timeout", test_policy_idle_timeout);
  ADD ("/policy/max-attempts", test_policy_max_attempts);
  ADD ("/policy/stable-after", test_policy_stable_after);
  ADD ("/policy/fallback-urls", test_policy_fallback_urls);
  ADD ("/policy/connection-refused", test_policy_connection_refused);
  g_test_add_func ("/policy/invalid-url", test_policy_invalid_url);
  ADD ("/policy/one-attempt-in-flight", test_policy_one_attempt_in_flight);
  ADD ("/policy/reconnect-method", test_policy_reconnect_method);

  return g_test_run ();
}
