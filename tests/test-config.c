/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Configuration files: every kind of key on a valid file with two
 * endpoints, ${NAME} expansion, and a table of invalid files whose errors
 * must name the file, and the group and the key where the error has them.
 * Each invalid case is loaded twice: from memory with
 * rws_config_load_data() and from a temporary file with rws_config_load(). */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

/* The source name given to rws_config_load_data(). */
#define DATA_SOURCE "inline-source.conf"

#define PORT_VARIABLE "RWS_TEST_CONFIG_PORT"
#define TOKEN_VARIABLE "RWS_TEST_CONFIG_TOKEN"
#define UNSET_VARIABLE "RWS_TEST_CONFIG_UNSET"

/* A temporary directory, removed with the files the test wrote into it. */
typedef struct
{
  char *path;
  GPtrArray *files;
} TempDir;

static TempDir *
temp_dir_new (void)
{
  g_autoptr(GError) error = NULL;
  TempDir *dir = g_new0 (TempDir, 1);

  dir->path = g_dir_make_tmp ("rws-test-config-XXXXXX", &error);
  g_assert_no_error (error);
  dir->files = g_ptr_array_new_with_free_func (g_free);

  return dir;
}

static void
temp_dir_free (TempDir *dir)
{
  for (guint i = 0; i < dir->files->len; i++)
    g_unlink (g_ptr_array_index (dir->files, i));
  g_rmdir (dir->path);
  g_ptr_array_unref (dir->files);
  g_free (dir->path);
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TempDir, temp_dir_free)

/* Writes @text to the file @name in @dir and returns its path. */
static const char *
temp_dir_write (TempDir    *dir,
                const char *name,
                const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir->path, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_ptr_array_add (dir->files, path);

  return path;
}

static RwsClient *
find_client (GPtrArray  *clients,
             const char *name)
{
  for (guint i = 0; i < clients->len; i++)
    if (g_strcmp0 (rws_client_get_name (g_ptr_array_index (clients, i)), name) == 0)
      return g_ptr_array_index (clients, i);

  return NULL;
}

/* Two endpoints that together use every kind of key. The first is started
 * against a test server to see its headers arrive. */
static const char valid_config[] =
  "# Two endpoints for the configuration test.\n"
  "[endpoint feed]\n"
  "url=ws://127.0.0.1:${" PORT_VARIABLE "}/feed\n"
  "origin=http://127.0.0.1/cost-$$5-and-$${HOME}\n"
  "backoff-initial=150\n"
  "backoff-max=2500\n"
  "max-attempts=7\n"
  "backoff-multiplier=1.5\n"
  "backoff-jitter=full\n"
  "queue-overflow=drop-oldest\n"
  "max-payload-size=1048576\n"
  "watch-network=false\n"
  "keepalive-interval=0\n"
  "fallback-urls=ws://127.0.0.1:1/a;ws://127.0.0.1:2/b\n"
  "header.X-Rws-Token=Bearer ${" TOKEN_VARIABLE "}\n"
  "header.X-Rws-Literal=$${" TOKEN_VARIABLE "}\n"
  "\n"
  "[endpoint rpc]\n"
  "url=ws://127.0.0.1:1/rpc\n"
  "subscribe=newHeads;logs\n"
  "protocol.subscribe-method=foo\n"
  "protocol=jsonrpc\n"
  "codec=json\n"
  "codec.max-depth=10\n"
  "max-attempts=-1\n"
  "watch-network=yes\n"
  "backoff-jitter=RWS_JITTER_EQUAL\n";

/* Checks the values of the first endpoint of valid_config. */
static void
check_feed_endpoint (RwsClient *feed,
                     guint      port)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/feed", port);
  const char * const *fallback_urls;

  g_assert_nonnull (feed);
  g_assert_cmpstr (rws_client_get_url (feed), ==, url);
  g_assert_cmpstr (rws_client_get_origin (feed), ==, "http://127.0.0.1/cost-$5-and-${HOME}");
  g_assert_cmpuint (rws_client_get_backoff_initial (feed), ==, 150);
  g_assert_cmpuint (rws_client_get_backoff_max (feed), ==, 2500);
  g_assert_cmpint (rws_client_get_max_attempts (feed), ==, 7);
  g_assert_cmpfloat_with_epsilon (rws_client_get_backoff_multiplier (feed), 1.5, 1e-9);
  g_assert_cmpint (rws_client_get_backoff_jitter (feed), ==, RWS_JITTER_FULL);
  g_assert_cmpint (rws_client_get_queue_overflow (feed), ==, RWS_OVERFLOW_DROP_OLDEST);
  g_assert_cmpuint (rws_client_get_max_payload_size (feed), ==, 1048576);
  g_assert_false (rws_client_get_watch_network (feed));
  g_assert_cmpuint (rws_client_get_keepalive_interval (feed), ==, 0);

  fallback_urls = rws_client_get_fallback_urls (feed);
  g_assert_nonnull (fallback_urls);
  g_assert_cmpuint (g_strv_length ((char **) fallback_urls), ==, 2);
  g_assert_cmpstr (fallback_urls[0], ==, "ws://127.0.0.1:1/a");
  g_assert_cmpstr (fallback_urls[1], ==, "ws://127.0.0.1:2/b");

  /* Keys not in the file keep their defaults. */
  g_assert_cmpstr (rws_client_get_protocol (feed), ==, "raw");
  g_assert_cmpstr (rws_client_get_codec (feed), ==, "text");
  g_assert_cmpuint (g_list_model_get_n_items (rws_client_get_subscriptions (feed)), ==, 0);
}

/* Checks the values of the second endpoint of valid_config. */
static void
check_rpc_endpoint (RwsClient *rpc)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *subscribe_method = NULL;
  GListModel *subscriptions;
  RwsProtocol *protocol;
  RwsCodec *codec;
  guint max_depth = 0;

  g_assert_nonnull (rpc);
  g_assert_cmpstr (rws_client_get_url (rpc), ==, "ws://127.0.0.1:1/rpc");
  g_assert_cmpint (rws_client_get_max_attempts (rpc), ==, -1);
  g_assert_true (rws_client_get_watch_network (rpc));
  g_assert_cmpint (rws_client_get_backoff_jitter (rpc), ==, RWS_JITTER_EQUAL);

  /* subscribe= makes one subscription per topic, in order. */
  subscriptions = rws_client_get_subscriptions (rpc);
  g_assert_cmpuint (g_list_model_get_n_items (subscriptions), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(RwsSubscription) subscription = g_list_model_get_item (subscriptions, i);

      g_assert_cmpstr (rws_subscription_get_topic (subscription), ==, i == 0 ? "newHeads" : "logs");
      g_assert_cmpint (rws_subscription_get_state (subscription), ==, RWS_SUBSCRIPTION_PENDING);
    }

  /* protocol.KEY reaches the plugin object although it comes before
   * protocol= in the file. */
  g_assert_cmpstr (rws_client_get_protocol (rpc), ==, "jsonrpc");
  protocol = rws_client_get_protocol_instance (rpc, &error);
  g_assert_no_error (error);
  g_assert_nonnull (protocol);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (protocol), ==, "RwsJsonrpc");
  g_object_get (protocol, "subscribe-method", &subscribe_method, NULL);
  g_assert_cmpstr (subscribe_method, ==, "foo");

  g_assert_cmpstr (rws_client_get_codec (rpc), ==, "json");
  codec = rws_client_get_codec_instance (rpc, &error);
  g_assert_no_error (error);
  g_assert_nonnull (codec);
  g_object_get (codec, "max-depth", &max_depth, NULL);
  g_assert_cmpuint (max_depth, ==, 10);
}

/* Starts the first endpoint against @server and checks the headers of its
 * handshake, then closes it. */
static void
check_feed_headers (RwsClient     *feed,
                    RwsTestServer *server)
{
  g_autoptr(RwsRecorder) recorder = rws_recorder_new (feed);
  g_autofree char *token = NULL;
  g_autofree char *literal = NULL;
  g_autofree char *origin = NULL;

  rws_client_start (feed);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_READY, WAIT_MS));

  token = rws_test_server_dup_last_header (server, "X-Rws-Token");
  literal = rws_test_server_dup_last_header (server, "X-Rws-Literal");
  origin = rws_test_server_dup_last_header (server, "Origin");
  g_assert_cmpstr (token, ==, "Bearer secret-42");
  g_assert_cmpstr (literal, ==, "${" TOKEN_VARIABLE "}");
  g_assert_cmpstr (origin, ==, "http://127.0.0.1/cost-$5-and-${HOME}");

  rws_client_close (feed, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_CLOSED, WAIT_MS));
}

static void
check_valid_clients (GPtrArray     *clients,
                     RwsTestServer *server)
{
  guint port = rws_test_server_get_port (server);

  g_assert_nonnull (clients);
  g_assert_cmpuint (clients->len, ==, 2);

  /* The clients come in the order of the file, none of them started. */
  g_assert_cmpstr (rws_client_get_name (g_ptr_array_index (clients, 0)), ==, "feed");
  g_assert_cmpstr (rws_client_get_name (g_ptr_array_index (clients, 1)), ==, "rpc");
  for (guint i = 0; i < clients->len; i++)
    g_assert_cmpint (rws_client_get_state (g_ptr_array_index (clients, i)), ==, RWS_STATE_DISCONNECTED);

  check_feed_endpoint (find_client (clients, "feed"), port);
  check_rpc_endpoint (find_client (clients, "rpc"));
  check_feed_headers (find_client (clients, "feed"), server);
}

static void
set_valid_environment (RwsTestServer *server)
{
  g_autofree char *port = g_strdup_printf ("%u", rws_test_server_get_port (server));

  g_assert_true (g_setenv (PORT_VARIABLE, port, TRUE));
  g_assert_true (g_setenv (TOKEN_VARIABLE, "secret-42", TRUE));
}

static void
test_config_valid_data (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;

  set_valid_environment (server);

  clients = rws_config_load_data (valid_config, -1, DATA_SOURCE, &error);
  g_assert_no_error (error);
  check_valid_clients (clients, server);
}

static void
test_config_valid_file (void)
{
  g_autoptr(TempDir) dir = temp_dir_new ();
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = temp_dir_write (dir, "valid.conf", valid_config);

  set_valid_environment (server);

  clients = rws_config_load (path, &error);
  g_assert_no_error (error);
  check_valid_clients (clients, server);
}

/* rws_config_load_data() takes the length, so the text needs no NUL. */
static void
test_config_data_length (void)
{
  const char text[] = "[endpoint a]\nurl=ws://127.0.0.1:1/\n[endpoint b]\nurl=ws://127.0.0.1:2/\n";
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;

  /* Only the first group: the length stops before "[endpoint b]". */
  clients = rws_config_load_data (text, strstr (text, "[endpoint b]") - text, DATA_SOURCE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (clients);
  g_assert_cmpuint (clients->len, ==, 1);
  g_assert_cmpstr (rws_client_get_name (g_ptr_array_index (clients, 0)), ==, "a");
}

typedef struct
{
  const char *name;     /* the test path */
  const char *text;     /* the configuration */
  const char *group;    /* the group the message names, or NULL */
  const char *key;      /* the key the message names, or NULL */
  const char *detail;   /* a further part of the message, or NULL */
} ErrorCase;

#define URL_LINE "url=ws://127.0.0.1:1/\n"

static const ErrorCase error_cases[] = {
  { "unknown-key", "[endpoint a]\n" URL_LINE "no-such-key=1\n",
    "endpoint a", "no-such-key", "for an endpoint" },
  { "bad-uint", "[endpoint a]\n" URL_LINE "backoff-max=abc\n",
    "endpoint a", "backoff-max", "abc" },
  { "negative-uint", "[endpoint a]\n" URL_LINE "backoff-max=-5\n",
    "endpoint a", "backoff-max", "-5" },
  { "uint-trailing-text", "[endpoint a]\n" URL_LINE "backoff-max=12ms\n",
    "endpoint a", "backoff-max", "12ms" },
  { "uint-overflow", "[endpoint a]\n" URL_LINE "backoff-max=4294967296\n",
    "endpoint a", "backoff-max", "4294967296" },
  { "uint-below-minimum", "[endpoint a]\n" URL_LINE "subscribe-attempts=0\n",
    "endpoint a", "subscribe-attempts", "from 1 to" },
  { "int-below-minimum", "[endpoint a]\n" URL_LINE "max-attempts=-2\n",
    "endpoint a", "max-attempts", "-2" },
  { "bad-int", "[endpoint a]\n" URL_LINE "max-attempts=1.5\n",
    "endpoint a", "max-attempts", "1.5" },
  { "double-below-minimum", "[endpoint a]\n" URL_LINE "backoff-multiplier=0.5\n",
    "endpoint a", "backoff-multiplier", "0.5" },
  { "bad-double", "[endpoint a]\n" URL_LINE "backoff-multiplier=fast\n",
    "endpoint a", "backoff-multiplier", "fast" },
  { "bad-boolean", "[endpoint a]\n" URL_LINE "watch-network=maybe\n",
    "endpoint a", "watch-network", "maybe" },
  { "bad-enum", "[endpoint a]\n" URL_LINE "backoff-jitter=sometimes\n",
    "endpoint a", "backoff-jitter", "none, full, equal, decorrelated" },
  { "missing-variable", "[endpoint a]\n" URL_LINE "header.Authorization=Bearer ${" UNSET_VARIABLE "}\n",
    "endpoint a", "header.Authorization", UNSET_VARIABLE },
  { "unclosed-variable", "[endpoint a]\n" URL_LINE "origin=http://127.0.0.1/${HOME\n",
    "endpoint a", "origin", "$$" },
  { "unknown-protocol", "[endpoint a]\n" URL_LINE "protocol=no-such-protocol\n",
    "endpoint a", "protocol", "no-such-protocol" },
  { "unknown-codec", "[endpoint a]\n" URL_LINE "codec=no-such-codec\n",
    "endpoint a", "codec", "no-such-codec" },
  { "unknown-protocol-key", "[endpoint a]\n" URL_LINE "protocol=jsonrpc\nprotocol.unknown-key=1\n",
    "endpoint a", "protocol.unknown-key", "the jsonrpc protocol" },
  { "unknown-codec-key", "[endpoint a]\n" URL_LINE "codec=json\ncodec.unknown-key=1\n",
    "endpoint a", "codec.unknown-key", NULL },
  { "bad-codec-value", "[endpoint a]\n" URL_LINE "codec=json\ncodec.max-depth=0\n",
    "endpoint a", "codec.max-depth", "0" },
  { "empty-header-name", "[endpoint a]\n" URL_LINE "header.=x\n",
    "endpoint a", "header.", NULL },
  { "construct-only-key", "[endpoint a]\n" URL_LINE "session=x\n",
    "endpoint a", "session", NULL },
  { "read-only-key", "[endpoint a]\n" URL_LINE "state=ready\n",
    "endpoint a", "state", NULL },
  { "object-key", "[endpoint a]\n" URL_LINE "network-monitor=x\n",
    "endpoint a", "network-monitor", NULL },
  { "unknown-group", "[server a]\n" URL_LINE,
    "server a", NULL, "[endpoint NAME]" },
  { "endpoint-without-name", "[endpoint]\n" URL_LINE,
    "endpoint", NULL, "name is missing" },
  { "endpoint-empty-name", "[endpoint ]\n" URL_LINE,
    "endpoint ", NULL, "[endpoint" },
  { "endpoint-name-two-words", "[endpoint a b]\n" URL_LINE,
    "endpoint a b", NULL, "one-word name" },
  /* GKeyFile alone would merge the repeated group into the first one. */
  { "duplicate-endpoint", "[endpoint a]\n" URL_LINE "[endpoint b]\n" URL_LINE "[endpoint a]\nurl=ws://127.0.0.1:9/\n",
    "endpoint a", NULL, "appears again on line 5" },
  { "missing-url", "[endpoint a]\nbackoff-max=100\n",
    "endpoint a", "url", "missing" },
  { "url-scheme", "[endpoint a]\nurl=http://127.0.0.1:1/\n",
    "endpoint a", "url", "http://127.0.0.1:1/" },
  { "url-not-a-url", "[endpoint a]\nurl=not a url\n",
    "endpoint a", "url", "not a url" },
  { "error-in-second-endpoint", "[endpoint a]\n" URL_LINE "[endpoint b]\n" URL_LINE "backoff-max=x\n",
    "endpoint b", "backoff-max", NULL },
  { "empty-file", "",
    NULL, NULL, "no [endpoint NAME] group" },
  { "comments-only", "# nothing here\n\n",
    NULL, NULL, "no [endpoint NAME] group" },
  { "syntax-error", "[endpoint a]\n" URL_LINE "this line is no key\n",
    NULL, NULL, "this line is no key" },
  { "unclosed-group", "[endpoint a\n" URL_LINE,
    NULL, NULL, NULL },
};

static void
assert_message_contains (const char *message,
                         const char *part)
{
  if (strstr (message, part) == NULL)
    g_error ("The message “%s” does not contain “%s”", message, part);
}

static void
check_error (const GError    *error,
             const char      *source_name,
             const ErrorCase *error_case)
{
  g_assert_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID);
  g_test_message ("%s", error->message);

  assert_message_contains (error->message, source_name);

  if (error_case->group != NULL)
    {
      g_autofree char *group = g_strdup_printf ("[%s]", error_case->group);

      assert_message_contains (error->message, group);
    }

  if (error_case->key != NULL)
    assert_message_contains (error->message, error_case->key);

  if (error_case->detail != NULL)
    assert_message_contains (error->message, error_case->detail);
}

static void
test_config_error (gconstpointer data)
{
  const ErrorCase *error_case = data;
  g_autoptr(TempDir) dir = temp_dir_new ();
  g_autoptr(GPtrArray) from_data = NULL;
  g_autoptr(GPtrArray) from_file = NULL;
  g_autoptr(GError) data_error = NULL;
  g_autoptr(GError) file_error = NULL;
  const char *path;

  g_unsetenv (UNSET_VARIABLE);

  from_data = rws_config_load_data (error_case->text, -1, DATA_SOURCE, &data_error);
  if (from_data != NULL)
    {
      g_test_fail_printf ("rws_config_load_data() returned %u clients instead of an error",
                          from_data->len);
      return;
    }
  check_error (data_error, DATA_SOURCE, error_case);

  path = temp_dir_write (dir, "invalid.conf", error_case->text);
  from_file = rws_config_load (path, &file_error);
  if (from_file != NULL)
    {
      g_test_fail_printf ("rws_config_load() returned %u clients instead of an error",
                          from_file->len);
      return;
    }
  check_error (file_error, path, error_case);
}

static void
test_config_missing_file (void)
{
  g_autoptr(TempDir) dir = temp_dir_new ();
  g_autofree char *path = g_build_filename (dir->path, "missing.conf", NULL);
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;

  clients = rws_config_load (path, &error);
  g_assert_null (clients);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID);
  assert_message_contains (error->message, path);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *plugins_dir = NULL;

  rws_test_init (&argc, &argv);

  /* The plugin modules built in this tree, found without an install. */
  plugins_dir = g_test_build_filename (G_TEST_BUILT, "..", "plugins", NULL);
  rws_registry_add_search_path (rws_registry_get_default (), plugins_dir);

  g_test_add_func ("/config/valid/data", test_config_valid_data);
  g_test_add_func ("/config/valid/file", test_config_valid_file);
  g_test_add_func ("/config/valid/data-length", test_config_data_length);

  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/error/%s", error_cases[i].name);

      g_test_add_data_func (path, &error_cases[i], test_config_error);
    }
  g_test_add_func ("/config/error/missing-file", test_config_missing_file);

  return g_test_run ();
}
