/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * "rws run CONFIG…": runs every endpoint of one or more configuration
 * files and prints every received message on stdout as one JSON object
 * per line, tagged with the endpoint's name and the message's topic.
 * Lifecycle lines go to stderr, each starting with "[ENDPOINT] ".
 *
 * The program ends in one of these ways:
 *
 * - SIGINT or SIGTERM: every client closes with code 1000. The program
 *   exits when every client has emitted "closed", or after
 *   CLOSE_TIMEOUT_MS at the latest. The exit status is 1 if an endpoint
 *   failed before, else 0.
 * - An endpoint reaches RWS_STATE_FAILED with --exit-on-failure: the other
 *   clients close as above and the exit status is 1.
 * - Without --exit-on-failure, the other endpoints keep running after one
 *   failed, and the program exits with status 1 once every endpoint has
 *   failed.
 * - Writing to stdout fails: the clients close as above and the exit
 *   status is 1.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "rws-tool.h"

/* How long the close handshakes of all clients may take after SIGINT or
 * SIGTERM before the program exits anyway. */
#define CLOSE_TIMEOUT_MS 3000
#define REPEATED_SIGNAL_MIN_US (500 * 1000)

typedef struct _RwsRun RwsRun;

typedef struct
{
  RwsRun *run;
  RwsClient *client;
  /* The file that defines the endpoint, for error messages. */
  char *file;
  RwsToolLifecycle *lifecycle;
  gboolean started;
  /* Whether the client emitted "closed" or reached RWS_STATE_FAILED,
   * after which it does nothing more. */
  gboolean done;
  gboolean failed;
} RwsRunEndpoint;

struct _RwsRun
{
  /* Options as parsed by GOptionContext. */
  gboolean exit_on_failure;
  gboolean quiet;
  gboolean verbose;

  GPtrArray *endpoints;  /* of RwsRunEndpoint */
  GMainLoop *loop;

  gboolean closing;
  gboolean finished;
  gboolean output_failed;
  int exit_status;
  guint close_timeout_source;
  guint sigint_source;
  guint sigterm_source;
  /* Monotonic time of the first SIGINT or SIGTERM, or 0. */
  gint64 signal_time;
};

static void
endpoint_free (RwsRunEndpoint *endpoint)
{
  g_clear_pointer (&endpoint->lifecycle, rws_tool_lifecycle_free);
  g_signal_handlers_disconnect_by_data (endpoint->client, endpoint);
  g_clear_object (&endpoint->client);
  g_free (endpoint->file);
  g_free (endpoint);
}

static const char *
endpoint_get_name (RwsRunEndpoint *endpoint)
{
  return rws_client_get_name (endpoint->client);
}

static void
finish (RwsRun *self)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  g_clear_handle_id (&self->close_timeout_source, g_source_remove);
  g_main_loop_quit (self->loop);
}

/* Ends the program once no endpoint can do anything more: all are closed
 * or failed. */
static void
check_all_done (RwsRun *self)
{
  for (guint i = 0; i < self->endpoints->len; i++)
    {
      RwsRunEndpoint *endpoint = g_ptr_array_index (self->endpoints, i);

      if (!endpoint->done)
        return;
    }

  finish (self);
}

static gboolean
on_close_timeout (gpointer user_data)
{
  RwsRun *self = user_data;

  self->close_timeout_source = 0;

  for (guint i = 0; i < self->endpoints->len; i++)
    {
      RwsRunEndpoint *endpoint = g_ptr_array_index (self->endpoints, i);

      if (!endpoint->done)
        /* Translators: the first value is an endpoint name, the second a time in milliseconds. */
        g_message (_("[%s] the close handshake did not finish within %u ms, so rws exits without waiting for it"),
                   endpoint_get_name (endpoint), (guint) CLOSE_TIMEOUT_MS);
    }

  finish (self);

  return G_SOURCE_REMOVE;
}

/* Closes every client that is still running with code 1000. The program
 * ends when all have emitted "closed", or after CLOSE_TIMEOUT_MS. */
static void
close_all (RwsRun *self)
{
  if (self->closing)
    return;

  self->closing = TRUE;
  self->close_timeout_source = g_timeout_add (CLOSE_TIMEOUT_MS, on_close_timeout, self);

  for (guint i = 0; i < self->endpoints->len; i++)
    {
      RwsRunEndpoint *endpoint = g_ptr_array_index (self->endpoints, i);
      RwsState state;

      if (endpoint->done)
        continue;

      state = rws_client_get_state (endpoint->client);
      if (!endpoint->started || state == RWS_STATE_FAILED || state == RWS_STATE_CLOSED)
        {
          endpoint->done = TRUE;
          continue;
        }

      /* on_closed() marks the endpoint done, possibly from inside this
       * call. */
      rws_client_close (endpoint->client, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }

  check_all_done (self);
}

static void
on_message (RwsClient      *client,
            RwsMessage     *message,
            RwsRunEndpoint *endpoint)
{
  RwsRun *self = endpoint->run;

  if (self->output_failed)
    return;

  if (rws_tool_print_message_json (message, "endpoint", endpoint_get_name (endpoint)))
    return;

  /* A closed pipe, as `head` leaves when it exits, is not reported. */
  if (errno != EPIPE)
    rws_tool_print_error (_("failed to write to standard output: %s"), g_strerror (errno));

  self->output_failed = TRUE;
  self->exit_status = RWS_TOOL_EXIT_FAILURE;
  close_all (self);
}

static void
on_closed (RwsClient      *client,
           RwsRunEndpoint *endpoint)
{
  endpoint->done = TRUE;
  check_all_done (endpoint->run);
}

/* The lifecycle handler, connected first, has printed the error that made
 * the client fail. */
static void
on_notify_state (RwsClient      *client,
                 GParamSpec     *pspec,
                 RwsRunEndpoint *endpoint)
{
  RwsRun *self = endpoint->run;

  if (rws_client_get_state (client) != RWS_STATE_FAILED || endpoint->failed)
    return;

  endpoint->failed = TRUE;
  endpoint->done = TRUE;

  if (self->exit_on_failure && !self->closing)
    {
      /* Translators: the value is an endpoint name. */
      rws_tool_print_error (_("[%s] gave up, so rws closes every endpoint and exits, as --exit-on-failure requests"),
                            endpoint_get_name (endpoint));
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
      close_all (self);
      return;
    }

  check_all_done (self);
}

/* A SIGINT or SIGTERM closes every client, or exits at once when the
 * clients are closing already. `timeout` and `kill -- -PGID` deliver one
 * signal twice (to the process and to its group), so a repeat within
 * REPEATED_SIGNAL_MIN_US counts as the same signal. */
static gboolean
on_signal (gpointer user_data)
{
  RwsRun *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (self->closing)
    {
      if (self->signal_time != 0 && now - self->signal_time < REPEATED_SIGNAL_MIN_US)
        return G_SOURCE_CONTINUE;

      rws_tool_print_error ("%s", _("interrupted while closing, so rws exits without waiting for the close handshakes"));
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
      finish (self);
      return G_SOURCE_CONTINUE;
    }

  self->signal_time = now;
  close_all (self);

  return G_SOURCE_CONTINUE;
}

/* Loads the endpoints of @path into self->endpoints. The error of a file
 * that cannot be read or is invalid names the file, and where it applies
 * the group and the key. */
static gboolean
load_file (RwsRun      *self,
           const char  *path,
           GError     **error)
{
  g_autoptr(GPtrArray) clients = NULL;

  /* The library rejects a file without endpoints and unknown groups such
   * as [route NAME]. */
  clients = rws_config_load (path, error);
  if (clients == NULL)
    return FALSE;

  for (guint i = 0; i < clients->len; i++)
    {
      RwsClient *client = g_ptr_array_index (clients, i);
      RwsRunEndpoint *endpoint;

      for (guint j = 0; j < self->endpoints->len; j++)
        {
          RwsRunEndpoint *other = g_ptr_array_index (self->endpoints, j);

          if (g_strcmp0 (endpoint_get_name (other), rws_client_get_name (client)) == 0)
            {
              g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                           /* Translators: the first value is a file name, the second an endpoint name, the third another file name. */
                           _("%s: [endpoint %s]: %s defines an endpoint with the same name. Rename one of them, because output lines tell endpoints apart by name"),
                           path, rws_client_get_name (client), other->file);
              return FALSE;
            }
        }

      endpoint = g_new0 (RwsRunEndpoint, 1);
      endpoint->run = self;
      endpoint->client = g_object_ref (client);
      endpoint->file = g_strdup (path);
      g_ptr_array_add (self->endpoints, endpoint);
    }

  return TRUE;
}

static void
start_endpoints (RwsRun *self)
{
  for (guint i = 0; i < self->endpoints->len; i++)
    {
      RwsRunEndpoint *endpoint = g_ptr_array_index (self->endpoints, i);
      RwsClient *client = endpoint->client;

      /* With --exit-on-failure, an endpoint that failed inside
       * rws_client_start() ends the program before the next starts. */
      if (self->closing)
        break;

      endpoint->lifecycle = rws_tool_lifecycle_new (client, endpoint_get_name (endpoint));

      g_signal_connect (client, "message", G_CALLBACK (on_message), endpoint);
      g_signal_connect (client, "closed", G_CALLBACK (on_closed), endpoint);
      g_signal_connect (client, "notify::state", G_CALLBACK (on_notify_state), endpoint);

      g_debug ("[%s] Starting, defined in %s", endpoint_get_name (endpoint), endpoint->file);
      endpoint->started = TRUE;
      rws_client_start (client);
    }
}

static int
compute_exit_status (RwsRun *self)
{
  if (self->exit_status != RWS_TOOL_EXIT_SUCCESS)
    return self->exit_status;

  for (guint i = 0; i < self->endpoints->len; i++)
    {
      RwsRunEndpoint *endpoint = g_ptr_array_index (self->endpoints, i);

      if (endpoint->failed)
        return RWS_TOOL_EXIT_FAILURE;
    }

  return RWS_TOOL_EXIT_SUCCESS;
}

static void
rws_run_clear (RwsRun *self)
{
  g_clear_handle_id (&self->close_timeout_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);
  g_clear_pointer (&self->endpoints, g_ptr_array_unref);
  g_clear_pointer (&self->loop, g_main_loop_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RwsRun, rws_run_clear)

int
rws_tool_run (int    argc,
              char **argv)
{
  g_auto(RwsRun) self = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "exit-on-failure", 0, 0, G_OPTION_ARG_NONE, &self.exit_on_failure,
      N_("Close every endpoint and exit with status 1 as soon as one endpoint gives up, instead of keeping the others running"),
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &self.quiet,
      N_("Print no lifecycle lines on standard error, only errors"),
      NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &self.verbose,
      N_("Also print debug lines on standard error"),
      NULL },
    { NULL }
  };

  context = g_option_context_new (_("CONFIG…"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Run every endpoint of the configuration files CONFIG and print every message\n"
                                  "that arrives on standard output, as one JSON object per line:\n"
                                  "\n"
                                  "  {\"time\": \"2024-05-01T12:00:00.123456Z\", \"endpoint\": \"NAME\",\n"
                                  "   \"topic\": \"TOPIC\", \"type\": \"text\", \"data\": …}\n"
                                  "\n"
                                  "“time” is the receive time in UTC. “topic” is null when the protocol gave the\n"
                                  "message no topic. “type” is “text” or “binary”. “data” is the JSON value that\n"
                                  "the codec decoded, else the text, else the payload in base64."));
  g_option_context_set_description (context,
                                    _("A configuration file has one group per endpoint, such as [endpoint ticker],\n"
                                      "with a url key and optional keys for client properties, protocol.KEY,\n"
                                      "codec.KEY, header.NAME and subscribe. ${NAME} in a value is replaced by the\n"
                                      "environment variable NAME. Endpoint names must be unique across all files.\n"
                                      "\n"
                                      "Connection events and errors go to standard error, each line starting with\n"
                                      "the endpoint name in brackets. An endpoint that gives up (see max-attempts)\n"
                                      "prints its error and the others keep running, unless --exit-on-failure is\n"
                                      "given. SIGINT and SIGTERM close every connection with code 1000 and exit\n"
                                      "once all are closed, after 3 seconds at the latest.\n"
                                      "\n"
                                      "Exit status: 0 after SIGINT or SIGTERM when no endpoint gave up; 1 when an\n"
                                      "endpoint gave up or standard output could not be written; 2 on invalid\n"
                                      "options or an invalid configuration file."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rws_tool_usage_error ("run", error->message);

  if (argc < 2)
    return rws_tool_usage_error ("run", _("missing configuration file, such as endpoints.conf"));

  if (self.quiet && self.verbose)
    return rws_tool_usage_error ("run", _("--quiet and --verbose cannot be used together"));

  rws_tool_set_verbosity (self.quiet, self.verbose);

  self.endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) endpoint_free);
  for (int i = 1; i < argc; i++)
    {
      if (!load_file (&self, argv[i], &error))
        {
          rws_tool_print_error ("%s", error->message);
          return RWS_TOOL_EXIT_USAGE;
        }
    }

  self.loop = g_main_loop_new (NULL, FALSE);
  self.sigint_source = g_unix_signal_add (SIGINT, on_signal, &self);
  self.sigterm_source = g_unix_signal_add (SIGTERM, on_signal, &self);

  start_endpoints (&self);

  /* Every client may have failed inside rws_client_start(), before the
   * loop runs. */
  if (!self.finished)
    g_main_loop_run (self.loop);

  return compute_exit_status (&self);
}
