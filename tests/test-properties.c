/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "rws.h"

typedef struct
{
  const char *name;
  /* Fill a GValue with the documented default and with another value. */
  void (*set_default) (GValue *value);
  void (*set_other) (GValue *value);
} PropertyCase;

static void set_null_string (GValue *v) { g_value_init (v, G_TYPE_STRING); }
static void set_url (GValue *v) { g_value_init (v, G_TYPE_STRING); g_value_set_string (v, "ws://127.0.0.1:1/feed"); }
static void set_raw (GValue *v) { g_value_init (v, G_TYPE_STRING); g_value_set_string (v, "raw"); }
static void set_other_protocol (GValue *v) { g_value_init (v, G_TYPE_STRING); g_value_set_string (v, "jsonrpc"); }
static void set_text (GValue *v) { g_value_init (v, G_TYPE_STRING); g_value_set_string (v, "text"); }
static void set_binary (GValue *v) { g_value_init (v, G_TYPE_STRING); g_value_set_string (v, "binary"); }
static void set_null_strv (GValue *v) { g_value_init (v, G_TYPE_STRV); }
static void set_strv (GValue *v)
{
  const char *values[] = { "chat", "superchat", NULL };

  g_value_init (v, G_TYPE_STRV);
  g_value_set_boxed (v, values);
}
static void set_origin (GValue *v) { g_value_init (v, G_TYPE_STRING); g_value_set_string (v, "http://127.0.0.1"); }
static void set_uint_1000 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 1000); }
static void set_uint_30000 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 30000); }
static void set_uint_10000 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 10000); }
static void set_uint_15000 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 15000); }
static void set_uint_1024 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 1024); }
static void set_uint_5 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 5); }
static void set_uint_0 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 0); }
static void set_uint_1234 (GValue *v) { g_value_init (v, G_TYPE_UINT); g_value_set_uint (v, 1234); }
static void set_double_2 (GValue *v) { g_value_init (v, G_TYPE_DOUBLE); g_value_set_double (v, 2.0); }
static void set_double_3 (GValue *v) { g_value_init (v, G_TYPE_DOUBLE); g_value_set_double (v, 3.5); }
static void set_jitter_default (GValue *v) { g_value_init (v, RWS_TYPE_JITTER); g_value_set_enum (v, RWS_JITTER_DECORRELATED); }
static void set_jitter_full (GValue *v) { g_value_init (v, RWS_TYPE_JITTER); g_value_set_enum (v, RWS_JITTER_FULL); }
static void set_int_minus_one (GValue *v) { g_value_init (v, G_TYPE_INT); g_value_set_int (v, -1); }
static void set_int_7 (GValue *v) { g_value_init (v, G_TYPE_INT); g_value_set_int (v, 7); }
static void set_overflow_reject (GValue *v) { g_value_init (v, RWS_TYPE_OVERFLOW); g_value_set_enum (v, RWS_OVERFLOW_REJECT); }
static void set_overflow_drop (GValue *v) { g_value_init (v, RWS_TYPE_OVERFLOW); g_value_set_enum (v, RWS_OVERFLOW_DROP_OLDEST); }
static void set_uint64_16mib (GValue *v) { g_value_init (v, G_TYPE_UINT64); g_value_set_uint64 (v, 16 * 1024 * 1024); }
static void set_uint64_1k (GValue *v) { g_value_init (v, G_TYPE_UINT64); g_value_set_uint64 (v, 1024); }
static void set_true (GValue *v) { g_value_init (v, G_TYPE_BOOLEAN); g_value_set_boolean (v, TRUE); }
static void set_false (GValue *v) { g_value_init (v, G_TYPE_BOOLEAN); g_value_set_boolean (v, FALSE); }
static void set_ca_file (GValue *v) { g_value_init (v, G_TYPE_STRING); g_value_set_string (v, "/nonexistent/rws-test-ca.pem"); }

static const PropertyCase cases[] = {
  { "url", set_null_string, set_url },
  { "protocol", set_raw, set_other_protocol },
  { "codec", set_text, set_binary },
  { "subprotocols", set_null_strv, set_strv },
  { "origin", set_null_string, set_origin },
  { "backoff-initial", set_uint_1000, set_uint_1234 },
  { "backoff-max", set_uint_30000, set_uint_1234 },
  { "backoff-multiplier", set_double_2, set_double_3 },
  { "backoff-jitter", set_jitter_default, set_jitter_full },
  { "max-attempts", set_int_minus_one, set_int_7 },
  { "subscribe-attempts", set_uint_5, set_uint_1234 },
  { "stable-after", set_uint_30000, set_uint_1234 },
  { "handshake-timeout", set_uint_10000, set_uint_1234 },
  { "keepalive-interval", set_uint_15000, set_uint_0 },
  { "pong-timeout", set_uint_10000, set_uint_0 },
  { "idle-timeout", set_uint_0, set_uint_1234 },
  { "queue-limit", set_uint_1024, set_uint_5 },
  { "queue-overflow", set_overflow_reject, set_overflow_drop },
  { "max-payload-size", set_uint64_16mib, set_uint64_1k },
  { "watch-network", set_true, set_false },
  { "fallback-urls", set_null_strv, set_strv },
  { "tls-ca-file", set_null_string, set_ca_file },
};

static gboolean
values_equal (const GValue *a,
              const GValue *b)
{
  if (G_VALUE_TYPE (a) == G_TYPE_STRV)
    {
      const char * const *x = g_value_get_boxed (a);
      const char * const *y = g_value_get_boxed (b);

      if (x == NULL || y == NULL)
        return x == y;
      return g_strv_equal (x, y);
    }

  if (G_VALUE_TYPE (a) == G_TYPE_STRING)
    return g_strcmp0 (g_value_get_string (a), g_value_get_string (b)) == 0;

  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (a)))
    {
    case G_TYPE_UINT:
      return g_value_get_uint (a) == g_value_get_uint (b);
    case G_TYPE_INT:
      return g_value_get_int (a) == g_value_get_int (b);
    case G_TYPE_UINT64:
      return g_value_get_uint64 (a) == g_value_get_uint64 (b);
    case G_TYPE_DOUBLE:
      return g_value_get_double (a) == g_value_get_double (b);
    case G_TYPE_BOOLEAN:
      return g_value_get_boolean (a) == g_value_get_boolean (b);
    case G_TYPE_ENUM:
      return g_value_get_enum (a) == g_value_get_enum (b);
    default:
      g_assert_not_reached ();
    }
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_property (gconstpointer data)
{
  const PropertyCase *c = data;
  g_autoptr(RwsClient) client = rws_client_new (NULL);
  g_auto(GValue) expected_default = G_VALUE_INIT;
  g_auto(GValue) other = G_VALUE_INIT;
  g_auto(GValue) current = G_VALUE_INIT;
  g_autofree char *signal_name = g_strdup_printf ("notify::%s", c->name);
  GParamSpec *pspec;
  guint notifications = 0;

  if (g_str_equal (c->name, "tls-ca-file"))
    g_test_expect_message ("Rws", G_LOG_LEVEL_WARNING, "*Could not load the CA file*");

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), c->name);
  g_assert_nonnull (pspec);
  g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);

  c->set_default (&expected_default);
  c->set_other (&other);

  /* The default. */
  g_value_init (&current, G_VALUE_TYPE (&expected_default));
  g_object_get_property (G_OBJECT (client), c->name, &current);
  g_assert_true (values_equal (&current, &expected_default));
  g_value_unset (&current);

  g_signal_connect (client, signal_name, G_CALLBACK (count_notify), &notifications);

  /* Setting the default again notifies nothing. */
  g_object_set_property (G_OBJECT (client), c->name, &expected_default);
  g_assert_cmpuint (notifications, ==, 0);

  /* A new value notifies once and reads back. */
  g_object_set_property (G_OBJECT (client), c->name, &other);
  g_assert_cmpuint (notifications, ==, 1);
  g_value_init (&current, G_VALUE_TYPE (&other));
  g_object_get_property (G_OBJECT (client), c->name, &current);
  g_assert_true (values_equal (&current, &other));
  g_value_unset (&current);

  /* The same value again notifies nothing. */
  g_object_set_property (G_OBJECT (client), c->name, &other);
  g_assert_cmpuint (notifications, ==, 1);

  /* Back to the default notifies once more. */
  g_object_set_property (G_OBJECT (client), c->name, &expected_default);
  g_assert_cmpuint (notifications, ==, 2);

  if (g_str_equal (c->name, "tls-ca-file"))
    g_test_assert_expected_messages ();

  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_property_accessors (void)
{
  g_autoptr(RwsClient) client = rws_client_new ("ws://127.0.0.1:1/");
  const char *protocols[] = { "a", "b", NULL };

  g_assert_cmpstr (rws_client_get_url (client), ==, "ws://127.0.0.1:1/");
  g_assert_cmpint (rws_client_get_state (client), ==, RWS_STATE_DISCONNECTED);
  g_assert_cmpstr (rws_client_get_protocol (client), ==, "raw");
  g_assert_cmpstr (rws_client_get_codec (client), ==, "text");
  g_assert_null (rws_client_get_subprotocols (client));
  g_assert_cmpuint (rws_client_get_backoff_initial (client), ==, 1000);
  g_assert_cmpuint (rws_client_get_backoff_max (client), ==, 30000);
  g_assert_cmpfloat (rws_client_get_backoff_multiplier (client), ==, 2.0);
  g_assert_cmpint (rws_client_get_backoff_jitter (client), ==, RWS_JITTER_DECORRELATED);
  g_assert_cmpint (rws_client_get_max_attempts (client), ==, -1);
  g_assert_cmpuint (rws_client_get_subscribe_attempts (client), ==, 5);
  g_assert_cmpuint (rws_client_get_stable_after (client), ==, 30000);
  g_assert_cmpuint (rws_client_get_handshake_timeout (client), ==, 10000);
  g_assert_cmpuint (rws_client_get_keepalive_interval (client), ==, 15000);
  g_assert_cmpuint (rws_client_get_pong_timeout (client), ==, 10000);
  g_assert_cmpuint (rws_client_get_idle_timeout (client), ==, 0);
  g_assert_cmpuint (rws_client_get_queue_limit (client), ==, 1024);
  g_assert_cmpint (rws_client_get_queue_overflow (client), ==, RWS_OVERFLOW_REJECT);
  g_assert_cmpuint (rws_client_get_max_payload_size (client), ==, 16 * 1024 * 1024);
  g_assert_true (rws_client_get_watch_network (client));
  g_assert_true (rws_client_get_network_monitor (client) == g_network_monitor_get_default ());
  g_assert_null (rws_client_get_fallback_urls (client));
  g_assert_null (rws_client_get_tls_ca_file (client));
  g_assert_true (SOUP_IS_SESSION (rws_client_get_session (client)));
  g_assert_cmpuint (rws_client_get_http_status (client), ==, 0);
  g_assert_null (rws_client_get_last_error (client));

  rws_client_set_subprotocols (client, protocols);
  g_assert_true (g_strv_equal (rws_client_get_subprotocols (client), protocols));
  rws_client_set_subprotocols (client, NULL);
  g_assert_null (rws_client_get_subprotocols (client));

  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_property_state_read_only (void)
{
  g_autoptr(RwsClient) client = rws_client_new (NULL);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), "state");

  g_assert_nonnull (pspec);
  g_assert_false (pspec->flags & G_PARAM_WRITABLE);
}

static void
test_property_construct_only (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(RwsClient) client = g_object_new (RWS_TYPE_CLIENT,
                                              "url", "ws://127.0.0.1:1/",
                                              "session", session,
                                              NULL);
  GParamSpec *pspec;

  g_assert_true (rws_client_get_session (client) == session);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), "session");
  g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), "network-monitor");
  g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);

  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_property_default_session_shared (void)
{
  g_autoptr(RwsClient) first = rws_client_new (NULL);
  g_autoptr(RwsClient) second = rws_client_new (NULL);

  g_assert_true (rws_client_get_session (first) == rws_client_get_session (second));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/properties/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_property);
    }

  g_test_add_func ("/properties/accessors", test_property_accessors);
  g_test_add_func ("/properties/state-read-only", test_property_state_read_only);
  g_test_add_func ("/properties/construct-only", test_property_construct_only);
  g_test_add_func ("/properties/default-session-shared", test_property_default_session_shared);

  return g_test_run ();
}
