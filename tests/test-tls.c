/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* wss:// against a server with a self-signed certificate that openssl
 * makes for each run: untrusted certificates are fatal, and tls-ca-file
 * makes the certificate trusted. */

#include "config.h"

#include <glib/gstdio.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

typedef struct
{
  char *directory;
  char *certificate_file;
  SoupServer *server;
  char *url;
} Fixture;

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  GPtrArray *connections = user_data;

  g_ptr_array_add (connections, g_object_ref (connection));
  soup_websocket_connection_send_text (connection, "hello over tls");
}

static void
make_certificate (Fixture *fixture)
{
  g_autofree char *key_file = g_build_filename (fixture->directory, "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) openssl = NULL;

  fixture->certificate_file = g_build_filename (fixture->directory, "cert.pem", NULL);
  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-keyout", key_file, "-out", fixture->certificate_file,
                              "-days", "1", "-subj", "/CN=127.0.0.1",
                              "-addext", "subjectAltName=IP:127.0.0.1",
                              NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autofree char *key_file = NULL;
  GSList *uris;
  GPtrArray *connections = g_ptr_array_new_with_free_func (g_object_unref);

  fixture->directory = g_dir_make_tmp ("rws-tls-XXXXXX", &error);
  g_assert_no_error (error);
  make_certificate (fixture);

  key_file = g_build_filename (fixture->directory, "key.pem", NULL);
  certificate = g_tls_certificate_new_from_files (fixture->certificate_file, key_file, &error);
  g_assert_no_error (error);

  fixture->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_websocket_handler (fixture->server, "/", NULL, NULL, on_websocket,
                                     connections, (GDestroyNotify) g_ptr_array_unref);
  g_assert_true (soup_server_listen (fixture->server, address, SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  fixture->url = g_strdup_printf ("wss://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
remove_directory (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);

      g_remove (path);
    }
  g_rmdir (directory);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  remove_directory (fixture->directory);
  g_clear_pointer (&fixture->directory, g_free);
  g_clear_pointer (&fixture->certificate_file, g_free);
  g_clear_pointer (&fixture->url, g_free);
}

static RwsClient *
create_client (const char *url)
{
  return g_object_new (RWS_TYPE_CLIENT,
                       "url", url,
                       "backoff-initial", 100,
                       "backoff-jitter", RWS_JITTER_NONE,
                       "keepalive-interval", 0,
                       "watch-network", FALSE,
                       NULL);
}

static void
close_and_free (RwsClient   *client,
                RwsRecorder *recorder)
{
  rws_client_close (client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_CLOSED, WAIT_MS));
  rws_recorder_free (recorder);
  g_assert_finalize_object (client);
}

static gboolean
has_message (gpointer user_data)
{
  RwsRecorder *recorder = user_data;

  return recorder->messages->len > 0;
}

static void
test_tls_untrusted_is_fatal (Fixture       *fixture,
                             gconstpointer  data)
{
  RwsClient *client = create_client (fixture->url);
  RwsRecorder *recorder = rws_recorder_new (client);

  rws_client_start (client);

  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_FAILED, WAIT_MS));
  g_assert_error (recorder->last_error, RWS_ERROR, RWS_ERROR_CONNECTION_FAILED);
  g_assert_cmpuint (recorder->reconnecting, ==, 0);
  g_assert_cmpuint (recorder->connected, ==, 0);

  close_and_free (client, recorder);
}

static void
test_tls_ca_file_trusts (Fixture       *fixture,
                         gconstpointer  data)
{
  RwsClient *client = create_client (fixture->url);
  RwsRecorder *recorder = rws_recorder_new (client);

  rws_client_set_tls_ca_file (client, fixture->certificate_file);
  rws_client_start (client);

  g_assert_true (rws_recorder_wait_count (recorder, &recorder->ready, 1, WAIT_MS));
  g_assert_true (rws_test_wait_until (has_message, recorder, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (recorder->messages, 0), ==, "hello over tls");
  g_assert_cmpuint (recorder->errors, ==, 0);

  close_and_free (client, recorder);
}

static void
test_tls_ca_file_relative (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *previous = g_get_current_dir ();
  RwsClient *client = create_client (fixture->url);
  RwsRecorder *recorder = rws_recorder_new (client);

  /* A path relative to the current directory works like an absolute one. */
  g_assert_cmpint (g_chdir (fixture->directory), ==, 0);
  rws_client_set_tls_ca_file (client, "cert.pem");
  g_assert_cmpint (g_chdir (previous), ==, 0);
  rws_client_start (client);

  g_assert_true (rws_test_wait_until (has_message, recorder, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (recorder->messages, 0), ==, "hello over tls");

  close_and_free (client, recorder);
}

static void
test_tls_ca_file_missing (Fixture       *fixture,
                          gconstpointer  data)
{
  RwsClient *client = create_client (fixture->url);
  RwsRecorder *recorder = rws_recorder_new (client);

  g_test_expect_message ("Rws", G_LOG_LEVEL_WARNING, "*Could not load the CA file*");
  rws_client_set_tls_ca_file (client, "/nonexistent/rws-ca.pem");
  g_test_assert_expected_messages ();
  rws_client_start (client);

  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_FAILED, WAIT_MS));
  g_assert_error (recorder->last_error, RWS_ERROR, RWS_ERROR_CONNECTION_FAILED);

  close_and_free (client, recorder);
}

int
main (int   argc,
      char *argv[])
{
  rws_test_init (&argc, &argv);

  g_test_add ("/tls/untrusted-is-fatal", Fixture, NULL,
              fixture_set_up, test_tls_untrusted_is_fatal, fixture_tear_down);
  g_test_add ("/tls/ca-file-trusts", Fixture, NULL,
              fixture_set_up, test_tls_ca_file_trusts, fixture_tear_down);
  g_test_add ("/tls/ca-file-relative", Fixture, NULL,
              fixture_set_up, test_tls_ca_file_relative, fixture_tear_down);
  g_test_add ("/tls/ca-file-missing", Fixture, NULL,
              fixture_set_up, test_tls_ca_file_missing, fixture_tear_down);

  return g_test_run ();
}
