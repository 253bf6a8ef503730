/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * "rws demo": a client rides through a server that keeps dropping it, and
 * a tally at the end shows where every message went.
 *
 * The server (rws-demo-server.c) runs in this process on 127.0.0.1. The
 * client sends {"seq": N} every SEND_INTERVAL_MS and the server echoes it.
 * The run has three phases:
 *
 * 1. Until QUIET_PERIOD_MS before the end: the client sends, the server
 *    drops it now and then, and lifecycle lines show each event.
 * 2. The quiet period: no more sends and no more drops, so the client
 *    reconnects, drains its queue and receives the last echoes.
 * 3. At the end of --duration, once the client is READY with an empty
 *    queue (or SETTLE_TIMEOUT_MS later at most), it closes, and the tally
 *    goes to stdout.
 *
 * The tally counts as lost every message that send accepted but that was
 * never handed to a connection, is not queued and was not dropped from a
 * full queue. Messages that were handed to a connection that then dropped
 * are reported apart: the raw protocol has no acknowledgements, so the
 * client cannot know that they never arrived.
 */

#include "config.h"

#include <inttypes.h>

#include <signal.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "rws-tool.h"
#include "rws-demo-server.h"

#define DEFAULT_DURATION_S 20
#define MIN_DURATION_S 2
#define MAX_DURATION_S 86400

#define SEND_INTERVAL_MS 20
#define QUIET_PERIOD_MS 1000
/* The client counts as settled when it is READY, its queue is empty and
 * no message was handed to the connection for this long. */
#define SETTLE_MS 300
#define SETTLE_CHECK_INTERVAL_MS 50
/* How long after --duration the demo waits for the client to settle. */
#define SETTLE_TIMEOUT_MS 10000

/* Short delays so the client returns quickly after each drop. The backoff
 * starts over after a connection has lasted DEMO_STABLE_AFTER_MS, which
 * the server's drop interval of 0.5 to 2.5 s allows now and then. */
#define DEMO_BACKOFF_INITIAL_MS 100
#define DEMO_BACKOFF_MAX_MS 2000
#define DEMO_STABLE_AFTER_MS 1000

#define REPEATED_SIGNAL_MIN_US (500 * 1000)

typedef struct
{
  char *duration_text;
  gboolean quiet;
  gboolean verbose;
  guint64 duration_s;

  GMainLoop *loop;
  RwsDemoServer *server;
  RwsClient *client;
  RwsToolLifecycle *lifecycle;
  JsonParser *parser;
  gint64 start_time;
  gint64 end_time;

  guint send_source;
  guint quiet_source;
  guint settle_source;
  guint sigint_source;
  guint sigterm_source;
  /* Monotonic time of the first SIGINT or SIGTERM, or 0. */
  gint64 signal_time;
  gint64 settled_since;
  guint64 settled_messages_out;

  guint64 next_seq;
  guint64 accepted;
  guint64 rejected;
  guint64 echoed;
  guint64 ticks_received;
  guint64 ticks_missed;
  guint64 last_tick;
  guint64 unknown_messages;

  gboolean closing;
  gboolean failed;
  gboolean finished;
} RwsDemo;

static void
finish (RwsDemo *self)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  g_main_loop_quit (self->loop);
}

static void
close_client (RwsDemo *self)
{
  RwsState state;

  if (self->closing)
    return;

  self->closing = TRUE;
  g_clear_handle_id (&self->send_source, g_source_remove);
  g_clear_handle_id (&self->quiet_source, g_source_remove);
  g_clear_handle_id (&self->settle_source, g_source_remove);
  rws_demo_server_stop_drops (self->server);

  state = rws_client_get_state (self->client);
  if (state == RWS_STATE_FAILED || state == RWS_STATE_CLOSED)
    {
      finish (self);
      return;
    }

  rws_client_close (self->client, SOUP_WEBSOCKET_CLOSE_NORMAL, "demo finished");
}

static gboolean
on_send (gpointer user_data)
{
  RwsDemo *self = user_data;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  self->next_seq++;
  text = g_strdup_printf ("{\"seq\": %" G_GUINT64_FORMAT "}", self->next_seq);

  if (rws_client_send_text (self->client, text, &error))
    {
      self->accepted++;
    }
  else
    {
      /* Repeated rejections are counted, and only the first is shown. */
      if (self->rejected == 0)
        rws_tool_print_error (_("send rejected message %" PRIu64 ": %s"),
                              self->next_seq, error->message);
      self->rejected++;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_settle_check (gpointer user_data)
{
  RwsDemo *self = user_data;
  g_autoptr(RwsStats) stats = rws_client_get_stats (self->client);
  gint64 now = g_get_monotonic_time ();
  gboolean idle;

  idle = rws_client_get_state (self->client) == RWS_STATE_READY &&
         stats->queued == 0 &&
         stats->messages_out == self->settled_messages_out;

  if (!idle)
    {
      self->settled_since = now;
      self->settled_messages_out = stats->messages_out;
    }

  if (now < self->end_time)
    return G_SOURCE_CONTINUE;

  if (idle && now - self->settled_since >= SETTLE_MS * 1000)
    {
      self->settle_source = 0;
      close_client (self);
      return G_SOURCE_REMOVE;
    }

  if (now >= self->end_time + SETTLE_TIMEOUT_MS * 1000)
    {
      rws_tool_print_error (g_dngettext (GETTEXT_PACKAGE,
                                         "the client did not settle within %u ms after the end, with %" G_GUINT64_FORMAT " message queued",
                                         "the client did not settle within %u ms after the end, with %" G_GUINT64_FORMAT " messages queued",
                                         stats->queued),
                            SETTLE_TIMEOUT_MS, stats->queued);
      self->settle_source = 0;
      close_client (self);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_quiet_period (gpointer user_data)
{
  RwsDemo *self = user_data;

  self->quiet_source = 0;
  g_clear_handle_id (&self->send_source, g_source_remove);
  rws_demo_server_stop_drops (self->server);
  g_message ("%s", _("sent the last message, and the server stops dropping clients, so the queue can drain"));

  self->settled_since = g_get_monotonic_time ();
  self->settle_source = g_timeout_add (SETTLE_CHECK_INTERVAL_MS, on_settle_check, self);

  return G_SOURCE_REMOVE;
}

static void
count_tick (RwsDemo *self,
            guint64  tick)
{
  self->ticks_received++;

  if (self->last_tick != 0 && tick > self->last_tick + 1)
    {
      guint64 first = self->last_tick + 1;
      guint64 last = tick - 1;

      self->ticks_missed += last - first + 1;
      /* Translators: the values are the first and the last missed tick number. */
      g_message (_("missed ticks %" PRIu64 " to %" PRIu64 ", sent while the link was down"),
                 first, last);
    }

  self->last_tick = MAX (self->last_tick, tick);
}

static void
on_message (RwsClient  *client,
            RwsMessage *message,
            RwsDemo    *self)
{
  const char *text = rws_message_get_text (message);
  JsonNode *root;
  JsonObject *object;

  if (text == NULL || !json_parser_load_from_data (self->parser, text, -1, NULL))
    {
      self->unknown_messages++;
      return;
    }

  root = json_parser_get_root (self->parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      self->unknown_messages++;
      return;
    }

  object = json_node_get_object (root);
  if (json_object_has_member (object, "tick"))
    count_tick (self, json_object_get_int_member (object, "tick"));
  else if (json_object_has_member (object, "seq"))
    self->echoed++;
  else
    self->unknown_messages++;
}

static void
on_closed (RwsClient *client,
           RwsDemo   *self)
{
  finish (self);
}

static void
on_notify_state (RwsClient  *client,
                 GParamSpec *pspec,
                 RwsDemo    *self)
{
  /* The lifecycle handler, connected first, has printed the error. */
  if (rws_client_get_state (client) != RWS_STATE_FAILED)
    return;

  self->failed = TRUE;
  finish (self);
}

/* A SIGINT or SIGTERM ends the demo early with a tally, and skips the
 * close handshake when the client is closing already. A repeat within
 * REPEATED_SIGNAL_MIN_US counts as the same signal, because `timeout` and
 * `kill -- -PGID` deliver one signal twice (to the process and to its
 * group). */
static gboolean
on_signal (gpointer user_data)
{
  RwsDemo *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (self->closing)
    {
      if (self->signal_time == 0 || now - self->signal_time >= REPEATED_SIGNAL_MIN_US)
        finish (self);
      return G_SOURCE_CONTINUE;
    }

  self->signal_time = now;
  g_message ("%s", _("interrupted, so the demo ends early"));
  close_client (self);

  return G_SOURCE_CONTINUE;
}

static void
print_count (const char *label,
             gint64      value,
             const char *note)
{
  if (note != NULL)
    printf ("  %-42s %8" G_GINT64_FORMAT "  %s\n", label, value, note);
  else
    printf ("  %-42s %8" G_GINT64_FORMAT "\n", label, value);
}

/* Prints the tally on stdout and returns the exit status. */
static int
print_tally (RwsDemo *self)
{
  g_autoptr(RwsStats) stats = rws_client_get_stats (self->client);
  double elapsed_s = (double) (g_get_monotonic_time () - self->start_time) / G_USEC_PER_SEC;
  gint64 on_wire;
  gint64 lost;

  /* A message handed to a connection either came back as an echo or was
   * on the wire when its link dropped. */
  on_wire = (gint64) stats->messages_out - (gint64) self->echoed;
  lost = (gint64) self->accepted - (gint64) stats->messages_out - (gint64) stats->queued - (gint64) stats->dropped;

  /* Translators: the value is a duration in seconds. */
  printf (_("Tally after %.1f s:\n"), elapsed_s);
  print_count (_("ticks received"), self->ticks_received, NULL);
  print_count (_("ticks missed while the link was down"), self->ticks_missed,
               _("(the raw protocol has no replay)"));
  print_count (_("links dropped by the server"), rws_demo_server_get_drops (self->server), NULL);
  print_count (_("reconnects"), stats->reconnects, NULL);
  print_count (_("messages accepted by send"), self->accepted, NULL);
  if (self->rejected > 0)
    print_count (_("messages rejected by send"), self->rejected, NULL);
  print_count (_("messages echoed back"), self->echoed, NULL);
  print_count (_("messages on the wire when a link dropped"), on_wire,
               _("(handed to a connection, never echoed)"));
  print_count (_("messages still queued"), stats->queued, NULL);
  print_count (_("messages dropped from the full queue"), stats->dropped, NULL);
  print_count (_("lost"), lost,
               _("(accepted, never handed to a connection, not queued, not dropped)"));
  if (self->unknown_messages > 0)
    print_count (_("unexpected messages from the server"), self->unknown_messages, NULL);

  if (lost == 0)
    printf ("%s\n", _("Every message that send accepted was handed to a connection. Messages on the\n"
                      "wire when a link dropped are not resent, because the raw protocol has no\n"
                      "acknowledgements."));
  else
    printf (_("%" PRId64 " messages that send accepted are missing from the client's statistics.\n"), lost);

  fflush (stdout);

  return lost == 0 && !self->failed ? RWS_TOOL_EXIT_SUCCESS : RWS_TOOL_EXIT_FAILURE;
}

static void
rws_demo_clear (RwsDemo *self)
{
  g_clear_handle_id (&self->send_source, g_source_remove);
  g_clear_handle_id (&self->quiet_source, g_source_remove);
  g_clear_handle_id (&self->settle_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  g_clear_pointer (&self->lifecycle, rws_tool_lifecycle_free);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_pointer (&self->server, rws_demo_server_free);
  g_clear_object (&self->parser);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->duration_text, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RwsDemo, rws_demo_clear)

int
rws_tool_demo (int    argc,
               char **argv)
{
  g_auto(RwsDemo) self = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &self.duration_text,
      N_("Length of the run in seconds, including the final second without sends (default: 20)"),
      N_("SECONDS") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &self.quiet,
      N_("Print no lifecycle lines on standard error, only the tally and errors"),
      NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &self.verbose,
      N_("Also print debug lines on standard error"),
      NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Run a client against an in-process server on 127.0.0.1 that sends numbered\n"
                                  "ticks, echoes every message and drops its clients every 0.5 to 2.5 s: without\n"
                                  "a close frame, with close codes 1000, 1001, 1011 and 4000, and once with a\n"
                                  "503 response to the next upgrade. The client sends a numbered message\n"
                                  "every 20 ms and reconnects after each drop."));
  g_option_context_set_description (context,
                                    _("Connection events go to standard error. At the end, a tally on standard\n"
                                      "output shows the ticks missed while the link was down, the reconnects, and\n"
                                      "where every message that send accepted went.\n"
                                      "\n"
                                      "Exit status: 0 when no accepted message was lost; 1 when one was, or the\n"
                                      "client gave up; 2 on invalid options."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rws_tool_usage_error ("demo", error->message);

  if (argc > 1)
    {
      /* Translators: the value is a command-line argument. */
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);

      return rws_tool_usage_error ("demo", message);
    }

  self.duration_s = DEFAULT_DURATION_S;
  if (self.duration_text != NULL &&
      !rws_tool_parse_unsigned ("duration", self.duration_text, MIN_DURATION_S, MAX_DURATION_S,
                                _("a whole number of seconds"), &self.duration_s, &error))
    return rws_tool_usage_error ("demo", error->message);

  if (self.quiet && self.verbose)
    return rws_tool_usage_error ("demo", _("--quiet and --verbose cannot be used together"));

  rws_tool_set_verbosity (self.quiet, self.verbose);

  self.server = rws_demo_server_new (&error);
  if (self.server == NULL)
    {
      rws_tool_print_error (_("failed to start the demo server on 127.0.0.1: %s"), error->message);
      return RWS_TOOL_EXIT_FAILURE;
    }

  url = rws_demo_server_get_url (self.server);
  /* Translators: the value is a URL. */
  g_message (_("server: listening on %s"), url);

  self.loop = g_main_loop_new (NULL, FALSE);
  self.parser = json_parser_new ();
  self.client = rws_client_new (url);
  rws_client_set_backoff_initial (self.client, DEMO_BACKOFF_INITIAL_MS);
  rws_client_set_backoff_max (self.client, DEMO_BACKOFF_MAX_MS);
  rws_client_set_stable_after (self.client, DEMO_STABLE_AFTER_MS);
  /* The server runs in this process on the loopback interface, so
   * following the network monitor serves no purpose. */
  rws_client_set_watch_network (self.client, FALSE);

  self.lifecycle = rws_tool_lifecycle_new (self.client, NULL);
  g_signal_connect (self.client, "message", G_CALLBACK (on_message), &self);
  g_signal_connect (self.client, "closed", G_CALLBACK (on_closed), &self);
  g_signal_connect (self.client, "notify::state", G_CALLBACK (on_notify_state), &self);

  self.sigint_source = g_unix_signal_add (SIGINT, on_signal, &self);
  self.sigterm_source = g_unix_signal_add (SIGTERM, on_signal, &self);

  self.start_time = g_get_monotonic_time ();
  self.end_time = self.start_time + (gint64) self.duration_s * G_USEC_PER_SEC;
  self.send_source = g_timeout_add (SEND_INTERVAL_MS, on_send, &self);
  self.quiet_source = g_timeout_add ((guint) (self.duration_s * 1000 - QUIET_PERIOD_MS), on_quiet_period, &self);

  rws_client_start (self.client);

  /* The client may fail inside rws_client_start(), before the loop runs. */
  if (!self.finished)
    g_main_loop_run (self.loop);

  status = print_tally (&self);

  return status;
}
