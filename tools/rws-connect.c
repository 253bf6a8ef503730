/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * "rws connect URL": prints every received message on stdout and sends
 * every line of stdin as a text message, through one RwsClient that
 * reconnects on its own.
 *
 * The program ends in one of these ways:
 *
 * - End of stdin without --count, or N messages received with --count:
 *   reading stops, the queue drains for at most --drain-timeout, the
 *   client closes with code 1000 and the program exits when the client
 *   emits "closed".
 * - SIGINT or SIGTERM: the client closes with code 1000 at once.
 * - The client reaches RWS_STATE_FAILED: exit status 1.
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "rws-tool.h"

/* How often the end of the program checks whether the queue has drained,
 * and how often a line that a full queue rejected is offered again. The
 * client has no signal for either, so both are polled. */
#define DRAIN_CHECK_INTERVAL_MS 50
#define QUEUE_RETRY_INTERVAL_MS 100

#define DEFAULT_DRAIN_TIMEOUT_MS 10000
#define REPEATED_SIGNAL_MIN_US (500 * 1000)

typedef enum
{
  BINARY_FORMAT_BASE64,
  BINARY_FORMAT_HEX,
  BINARY_FORMAT_RAW,
} BinaryFormat;

typedef struct
{
  /* Options as parsed by GOptionContext. */
  char *protocol;
  char *codec;
  char **subscriptions;
  char **settings;
  char **headers;
  char **subprotocols;
  char **fallback_urls;
  char *origin;
  char *tls_ca_file;
  gboolean no_watch_network;
  char *count_text;
  char *drain_timeout_text;
  char *binary_text;
  gboolean jsonl;
  gboolean quiet;
  gboolean verbose;

  /* Checked option values. */
  guint64 count;  /* 0 when --count is not given */
  guint64 drain_timeout_ms;
  BinaryFormat binary_format;

  RwsClient *client;
  RwsToolLifecycle *lifecycle;
  GMainLoop *loop;
  /* The URL without credentials, for --jsonl. */
  char *shown_url;

  /* Standard input. */
  GDataInputStream *input;
  GCancellable *input_cancellable;
  gboolean input_stopped;
  guint64 lines_read;
  /* A line that the full queue rejected. It is sent again every
   * QUEUE_RETRY_INTERVAL_MS, and no further line is read until the client
   * accepts it. */
  char *pending_line;
  guint pending_line_source;
  /* Whether the line about the full queue was printed for the pending
   * line, so that each pause is reported once. */
  gboolean pending_line_reported;

  guint64 received;
  /* Whether writing to stdout failed, after which nothing more is written. */
  gboolean output_failed;

  guint drain_source;
  gint64 drain_deadline;
  gboolean closing;
  gboolean finished;
  int exit_status;
  guint sigint_source;
  guint sigterm_source;
  /* Monotonic time of the first SIGINT or SIGTERM, or 0. */
  gint64 signal_time;
} RwsConnect;

static const RwsToolPropertyOption property_options[] = {
  { "backoff-initial", N_("MS"),
    N_("First reconnection delay before jitter, in milliseconds"),
    N_("a whole number of milliseconds") },
  { "backoff-max", N_("MS"),
    N_("Maximum reconnection delay, in milliseconds"),
    N_("a whole number of milliseconds") },
  { "backoff-multiplier", N_("FACTOR"),
    N_("Factor by which the delay grows after each failed attempt"),
    N_("a number") },
  { "backoff-jitter", N_("MODE"),
    N_("How reconnection delays are randomized: none, full, equal or decorrelated"),
    NULL },
  { "max-attempts", N_("N"),
    N_("Number of failed attempts in a row before rws gives up with exit status 1, or -1 to retry forever"),
    N_("a whole number of attempts") },
  { "stable-after", N_("MS"),
    N_("Time a connection must stay up before the backoff starts over, in milliseconds"),
    N_("a whole number of milliseconds") },
  { "handshake-timeout", N_("MS"),
    N_("Time allowed for TCP, TLS and the HTTP upgrade, in milliseconds"),
    N_("a whole number of milliseconds") },
  { "keepalive-interval", N_("MS"),
    N_("Interval between WebSocket pings, in milliseconds, or 0 for no pings"),
    N_("a whole number of milliseconds") },
  { "pong-timeout", N_("MS"),
    N_("Time without a pong after a ping before the peer counts as dead, in milliseconds, or 0 to disable"),
    N_("a whole number of milliseconds") },
  { "idle-timeout", N_("MS"),
    N_("Time without any incoming frame before the peer counts as dead, in milliseconds, or 0 to disable"),
    N_("a whole number of milliseconds") },
  { "queue-limit", N_("N"),
    N_("Maximum number of messages queued while not connected"),
    N_("a whole number of messages") },
  { "queue-overflow", N_("POLICY"),
    N_("What a full queue does with one more message: reject (rws stops reading standard input until there is room) or drop-oldest"),
    NULL },
  { "max-payload-size", N_("BYTES"),
    N_("Largest incoming message accepted, in bytes"),
    N_("a whole number of bytes") },
};

static void read_next_line (RwsConnect *self);

static void
finish (RwsConnect *self)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  g_main_loop_quit (self->loop);
}

static void
stop_input (RwsConnect *self)
{
  self->input_stopped = TRUE;
  g_cancellable_cancel (self->input_cancellable);
}

/* Returns the number of accepted messages that are not yet handed to a
 * connection, plus the line that a full queue rejected, if any. */
static guint64
count_waiting_messages (RwsConnect *self)
{
  g_autoptr(RwsStats) stats = rws_client_get_stats (self->client);

  return stats->queued + (self->pending_line != NULL ? 1 : 0);
}

static void
close_client (RwsConnect *self)
{
  RwsState state;

  if (self->closing)
    return;

  self->closing = TRUE;
  stop_input (self);
  g_clear_handle_id (&self->drain_source, g_source_remove);
  g_clear_handle_id (&self->pending_line_source, g_source_remove);

  state = rws_client_get_state (self->client);
  if (state == RWS_STATE_FAILED || state == RWS_STATE_CLOSED)
    {
      finish (self);
      return;
    }

  /* The client emits "closed" when the close handshake is over, and
   * on_closed() ends the main loop. */
  rws_client_close (self->client, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* Closes the client once nothing waits to be sent, or with exit status 1
 * when the drain timeout has passed. Returns whether the drain is over. */
static gboolean
check_drained (RwsConnect *self)
{
  guint64 waiting = count_waiting_messages (self);

  if (waiting == 0)
    {
      close_client (self);
      return TRUE;
    }

  if (g_get_monotonic_time () >= self->drain_deadline)
    {
      rws_tool_print_error (g_dngettext (GETTEXT_PACKAGE,
                                         "%" G_GUINT64_FORMAT " message was not sent within the drain timeout of %" G_GUINT64_FORMAT " ms",
                                         "%" G_GUINT64_FORMAT " messages were not sent within the drain timeout of %" G_GUINT64_FORMAT " ms",
                                         waiting),
                            waiting, self->drain_timeout_ms);
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
      close_client (self);
      return TRUE;
    }

  return FALSE;
}

static gboolean
on_drain_check (gpointer user_data)
{
  RwsConnect *self = user_data;

  if (check_drained (self))
    {
      self->drain_source = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* Stops reading stdin and closes the client once every accepted message
 * was handed to a connection, or --drain-timeout has passed. */
static void
begin_drain (RwsConnect *self)
{
  if (self->closing || self->drain_source != 0)
    return;

  stop_input (self);
  self->drain_deadline = g_get_monotonic_time () + (gint64) self->drain_timeout_ms * 1000;

  if (check_drained (self))
    return;

  g_debug ("Waiting for %" G_GUINT64_FORMAT " queued messages to be sent", count_waiting_messages (self));
  self->drain_source = g_timeout_add (DRAIN_CHECK_INTERVAL_MS, on_drain_check, self);
}

static void
end_of_input (RwsConnect *self)
{
  self->input_stopped = TRUE;

  /* With --count, the program ends after N messages, not at the end of
   * stdin, so `rws connect --count 5 URL </dev/null` waits for 5 messages. */
  if (self->count > 0)
    return;

  begin_drain (self);
}

static gboolean on_pending_line_retry (gpointer user_data);

/* Sends @line, which the function takes ownership of. While the queue is
 * full, the line is kept and sent again later, and no further line is
 * read until the client accepts it. */
static void
send_line (RwsConnect *self,
           char       *line)
{
  g_autofree char *text = line;
  g_autoptr(GError) error = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    {
      /* Translators: the value is a line number. */
      rws_tool_print_error (_("line %" PRIu64 " of standard input is not valid UTF-8, so it was not sent"),
                            self->lines_read);
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
      read_next_line (self);
      return;
    }

  if (!rws_client_send_text (self->client, text, &error))
    {
      if (g_error_matches (error, RWS_ERROR, RWS_ERROR_QUEUE_FULL))
        {
          if (!self->pending_line_reported)
            g_message ("%s", _("the queue is full, so reading standard input pauses until there is room"));

          self->pending_line_reported = TRUE;
          self->pending_line = g_steal_pointer (&text);
          if (self->pending_line_source == 0)
            self->pending_line_source = g_timeout_add (QUEUE_RETRY_INTERVAL_MS, on_pending_line_retry, self);
          return;
        }

      /* Translators: the first value is a line number, the second an error message. */
      rws_tool_print_error (_("line %" PRIu64 " of standard input was not sent: %s"),
                            self->lines_read, error->message);
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
    }

  self->pending_line_reported = FALSE;
  read_next_line (self);
}

static gboolean
on_pending_line_retry (gpointer user_data)
{
  RwsConnect *self = user_data;

  self->pending_line_source = 0;
  send_line (self, g_steal_pointer (&self->pending_line));

  return G_SOURCE_REMOVE;
}

static void
on_line_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RwsConnect *self = user_data;
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      rws_tool_print_error (_("failed to read standard input: %s"), error->message);
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
      end_of_input (self);
      return;
    }

  if (line == NULL)
    {
      g_debug ("End of standard input after %" G_GUINT64_FORMAT " lines", self->lines_read);
      end_of_input (self);
      return;
    }

  self->lines_read++;
  send_line (self, line);
}

static void
read_next_line (RwsConnect *self)
{
  if (self->input_stopped)
    return;

  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT,
                                       self->input_cancellable, on_line_read, self);
}

/* Returns the wall-clock time at which @message arrived, in ISO 8601 UTC
 * with microseconds, such as "2024-05-01T12:00:00.123456Z". */
char *
rws_tool_format_receive_time (RwsMessage *message)
{
  g_autoptr(GDateTime) seconds = NULL;
  g_autoptr(GDateTime) time = NULL;
  gint64 age_us;
  gint64 real_time_us;

  /* The message carries a monotonic timestamp, so its age is subtracted
   * from the wall-clock time of now. */
  age_us = g_get_monotonic_time () - rws_message_get_received_time (message);
  real_time_us = g_get_real_time () - MAX (age_us, 0);

  seconds = g_date_time_new_from_unix_utc (real_time_us / G_USEC_PER_SEC);
  time = g_date_time_add (seconds, real_time_us % G_USEC_PER_SEC);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static char *
encode_binary (GBytes       *bytes,
               BinaryFormat  format)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  if (format == BINARY_FORMAT_HEX)
    {
      GString *hex = g_string_sized_new (size * 2 + 1);

      for (gsize i = 0; i < size; i++)
        g_string_append_printf (hex, "%02x", data[i]);

      return g_string_free (hex, FALSE);
    }

  return g_base64_encode (data, size);
}

/* Writes @size bytes to stdout and flushes them. Fails with errno set
 * when stdout cannot be written. */
gboolean
rws_tool_write_stdout (const void *data,
                       gsize       size)
{
  if (size > 0 && fwrite (data, 1, size, stdout) != size)
    return FALSE;

  return fflush (stdout) == 0;
}

/* Adds the "data" member of @message: the JSON value that the codec
 * decoded, else the text, else the payload in base64. The text is NULL
 * for binary messages, so "type": "binary" always means base64. */
static void
add_message_data (JsonBuilder *builder,
                  RwsMessage  *message)
{
  JsonNode *json = rws_message_get_json (message);
  const char *text = rws_message_get_text (message);
  g_autofree char *encoded = NULL;

  json_builder_set_member_name (builder, "data");

  if (json != NULL)
    {
      json_builder_add_value (builder, json_node_copy (json));
      return;
    }

  if (text != NULL)
    {
      json_builder_add_string_value (builder, text);
      return;
    }

  encoded = encode_binary (rws_message_get_bytes (message), BINARY_FORMAT_BASE64);
  json_builder_add_string_value (builder, encoded);
}

/* Prints @message on stdout as one JSON object on one line: "time",
 * @source_member (such as "url" or "endpoint") with @source_value,
 * "topic" (null when the message has none), "type" ("text" or "binary")
 * and "data". Fails with errno set when stdout cannot be written. */
gboolean
rws_tool_print_message_json (RwsMessage *message,
                             const char *source_member,
                             const char *source_value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = rws_tool_format_receive_time (message);
  g_autofree char *line = NULL;
  const char *topic = rws_message_get_topic (message);
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  json_builder_set_member_name (builder, source_member);
  json_builder_add_string_value (builder, source_value);
  json_builder_set_member_name (builder, "topic");
  if (topic != NULL)
    json_builder_add_string_value (builder, topic);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, rws_message_is_binary (message) ? "binary" : "text");
  add_message_data (builder, message);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, &length);

  return rws_tool_write_stdout (line, length) && rws_tool_write_stdout ("\n", 1);
}

static gboolean
print_plain (RwsConnect *self,
             RwsMessage *message)
{
  GBytes *bytes = rws_message_get_bytes (message);
  const char *text = rws_message_get_text (message);
  g_autofree char *encoded = NULL;
  gsize size;
  const void *data;

  if (!rws_message_is_binary (message) && text != NULL)
    return rws_tool_write_stdout (text, strlen (text)) && rws_tool_write_stdout ("\n", 1);

  data = g_bytes_get_data (bytes, &size);

  if (rws_message_is_binary (message) && self->binary_format == BINARY_FORMAT_RAW)
    return rws_tool_write_stdout (data, size);

  /* A text message that is not valid UTF-8 is printed as it came. */
  if (!rws_message_is_binary (message))
    return rws_tool_write_stdout (data, size) && rws_tool_write_stdout ("\n", 1);

  encoded = encode_binary (bytes, self->binary_format);
  return rws_tool_write_stdout (encoded, strlen (encoded)) && rws_tool_write_stdout ("\n", 1);
}

static void
on_message (RwsClient  *client,
            RwsMessage *message,
            RwsConnect *self)
{
  gboolean written;

  if (self->output_failed || (self->count > 0 && self->received >= self->count))
    return;

  self->received++;

  if (self->jsonl)
    written = rws_tool_print_message_json (message, "url", self->shown_url);
  else
    written = print_plain (self, message);

  if (!written)
    {
      /* A closed pipe, as `head` leaves when it exits, is not reported. */
      if (errno != EPIPE)
        rws_tool_print_error (_("failed to write to standard output: %s"), g_strerror (errno));
      self->output_failed = TRUE;
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
      close_client (self);
      return;
    }

  if (self->count > 0 && self->received == self->count)
    {
      g_debug ("Received %" G_GUINT64_FORMAT " messages as --count asked", self->received);
      begin_drain (self);
    }
}

static void
on_ready (RwsClient  *client,
          RwsConnect *self)
{
  g_debug ("Ready");
}

static void
on_closed (RwsClient  *client,
           RwsConnect *self)
{
  finish (self);
}

static void
on_notify_state (RwsClient  *client,
                 GParamSpec *pspec,
                 RwsConnect *self)
{
  guint64 waiting;

  /* The lifecycle handler, connected first, has printed the error. */
  if (rws_client_get_state (client) != RWS_STATE_FAILED)
    return;

  waiting = count_waiting_messages (self);
  if (waiting > 0)
    rws_tool_print_error (g_dngettext (GETTEXT_PACKAGE,
                                       "%" G_GUINT64_FORMAT " message was not sent",
                                       "%" G_GUINT64_FORMAT " messages were not sent",
                                       waiting),
                          waiting);

  self->exit_status = RWS_TOOL_EXIT_FAILURE;
  stop_input (self);
  finish (self);
}

/* A SIGINT or SIGTERM closes the client, or exits at once when the client
 * is closing already. `timeout` and `kill -- -PGID` deliver one signal
 * twice (to the process and to its group), so a repeat within
 * REPEATED_SIGNAL_MIN_US counts as the same signal. */
static gboolean
on_signal (gpointer user_data)
{
  RwsConnect *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 waiting;

  if (self->closing)
    {
      if (self->signal_time != 0 && now - self->signal_time < REPEATED_SIGNAL_MIN_US)
        return G_SOURCE_CONTINUE;

      rws_tool_print_error ("%s", _("interrupted while closing, so rws exits without waiting for the close handshake"));
      self->exit_status = RWS_TOOL_EXIT_FAILURE;
      finish (self);
      return G_SOURCE_CONTINUE;
    }

  self->signal_time = now;

  waiting = count_waiting_messages (self);
  if (waiting > 0)
    rws_tool_print_error (g_dngettext (GETTEXT_PACKAGE,
                                       "interrupted, %" G_GUINT64_FORMAT " queued message was not sent",
                                       "interrupted, %" G_GUINT64_FORMAT " queued messages were not sent",
                                       waiting),
                          waiting);

  close_client (self);

  return G_SOURCE_CONTINUE;
}

/* Reports the messages that --queue-overflow=drop-oldest dropped. They do
 * not change the exit status, because the user requested the drops. */
static void
report_dropped (RwsConnect *self)
{
  g_autoptr(RwsStats) stats = rws_client_get_stats (self->client);

  if (stats->dropped == 0)
    return;

  g_message (g_dngettext (GETTEXT_PACKAGE,
                          "%" G_GUINT64_FORMAT " message was dropped from the full queue",
                          "%" G_GUINT64_FORMAT " messages were dropped from the full queue",
                          stats->dropped),
             stats->dropped);
}

static gboolean
parse_binary_format (const char    *text,
                     BinaryFormat  *format,
                     GError       **error)
{
  if (g_strcmp0 (text, "base64") == 0)
    *format = BINARY_FORMAT_BASE64;
  else if (g_strcmp0 (text, "hex") == 0)
    *format = BINARY_FORMAT_HEX;
  else if (g_strcmp0 (text, "raw") == 0)
    *format = BINARY_FORMAT_RAW;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the value is what the user gave to --binary. */
                   _("invalid value “%s” for --binary: expected one of base64, hex, raw"),
                   text);
      return FALSE;
    }

  return TRUE;
}

/* Checks the options that do not set a client property and stores their
 * values in @self. */
static gboolean
check_options (RwsConnect  *self,
               GError     **error)
{
  if (self->quiet && self->verbose)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--quiet and --verbose cannot be used together"));
      return FALSE;
    }

  if (self->count_text != NULL &&
      !rws_tool_parse_unsigned ("count", self->count_text, 1, G_MAXUINT64,
                                _("a whole number of messages"), &self->count, error))
    return FALSE;

  self->drain_timeout_ms = DEFAULT_DRAIN_TIMEOUT_MS;
  if (self->drain_timeout_text != NULL &&
      !rws_tool_parse_unsigned ("drain-timeout", self->drain_timeout_text, 0, G_MAXUINT,
                                _("a whole number of milliseconds"), &self->drain_timeout_ms, error))
    return FALSE;

  self->binary_format = BINARY_FORMAT_BASE64;
  if (self->binary_text != NULL && !parse_binary_format (self->binary_text, &self->binary_format, error))
    return FALSE;

  for (guint i = 0; self->fallback_urls != NULL && self->fallback_urls[i] != NULL; i++)
    {
      if (!rws_tool_check_url ("fallback-url", self->fallback_urls[i], error))
        return FALSE;
    }

  for (guint i = 0; self->subscriptions != NULL && self->subscriptions[i] != NULL; i++)
    {
      if (*self->subscriptions[i] == '\0')
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("invalid value for --subscribe: the topic is empty"));
          return FALSE;
        }
    }

  for (guint i = 0; self->subprotocols != NULL && self->subprotocols[i] != NULL; i++)
    {
      if (!rws_tool_is_http_token (self->subprotocols[i]))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: the value is what the user gave to --subprotocol. */
                       _("invalid value “%s” for --subprotocol: a subprotocol name contains only letters, digits and !#$%%&'*+-.^_`|~"),
                       self->subprotocols[i]);
          return FALSE;
        }
    }

  if (self->tls_ca_file != NULL && !g_file_test (self->tls_ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the value is a file name. */
                   _("invalid value “%s” for --tls-ca-file: the file does not exist or is not a regular file"),
                   self->tls_ca_file);
      return FALSE;
    }

  return TRUE;
}

/* Sets the client properties, plugin properties and headers that the
 * options name, and subscribes to the --subscribe topics. --protocol and
 * --codec apply before --set, so that "--set protocol.KEY=VALUE" sets a
 * property of the plugin that --protocol names, and both fail at once
 * when no plugin of that name exists. The --set options apply in the
 * order given, after the options that set one client property each. */
static gboolean
configure_client (RwsConnect              *self,
                  RwsToolPropertyOptions  *property_values,
                  GError                 **error)
{
  if (!rws_tool_property_options_apply (property_values, self->client, error))
    return FALSE;

  if (self->protocol != NULL &&
      !rws_client_set_property_from_string (self->client, "protocol", self->protocol, error))
    {
      g_prefix_error (error, "--protocol: ");
      return FALSE;
    }

  if (self->codec != NULL &&
      !rws_client_set_property_from_string (self->client, "codec", self->codec, error))
    {
      g_prefix_error (error, "--codec: ");
      return FALSE;
    }

  for (guint i = 0; self->headers != NULL && self->headers[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (!rws_tool_parse_header (self->headers[i], &name, &value, error))
        return FALSE;

      rws_client_set_header (self->client, name, value);
    }

  if (self->subprotocols != NULL)
    rws_client_set_subprotocols (self->client, (const char * const *) self->subprotocols);
  if (self->fallback_urls != NULL)
    rws_client_set_fallback_urls (self->client, (const char * const *) self->fallback_urls);
  if (self->origin != NULL)
    rws_client_set_origin (self->client, self->origin);
  if (self->tls_ca_file != NULL)
    {
      /* GTlsFileDatabase accepts absolute paths only. */
      g_autofree char *path = g_canonicalize_filename (self->tls_ca_file, NULL);

      rws_client_set_tls_ca_file (self->client, path);
    }
  if (self->no_watch_network)
    rws_client_set_watch_network (self->client, FALSE);

  if (!rws_tool_apply_settings (self->client, (const char * const *) self->settings, error))
    return FALSE;

  for (guint i = 0; self->subscriptions != NULL && self->subscriptions[i] != NULL; i++)
    rws_client_subscribe (self->client, self->subscriptions[i], NULL);

  return TRUE;
}

static void
rws_connect_clear (RwsConnect *self)
{
  g_clear_handle_id (&self->drain_source, g_source_remove);
  g_clear_handle_id (&self->pending_line_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  if (self->input_cancellable != NULL)
    g_cancellable_cancel (self->input_cancellable);
  g_clear_object (&self->input_cancellable);
  g_clear_object (&self->input);

  g_clear_pointer (&self->lifecycle, rws_tool_lifecycle_free);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_pointer (&self->loop, g_main_loop_unref);

  g_clear_pointer (&self->protocol, g_free);
  g_clear_pointer (&self->codec, g_free);
  g_clear_pointer (&self->subscriptions, g_strfreev);
  g_clear_pointer (&self->settings, g_strfreev);
  g_clear_pointer (&self->headers, g_strfreev);
  g_clear_pointer (&self->subprotocols, g_strfreev);
  g_clear_pointer (&self->fallback_urls, g_strfreev);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->tls_ca_file, g_free);
  g_clear_pointer (&self->count_text, g_free);
  g_clear_pointer (&self->drain_timeout_text, g_free);
  g_clear_pointer (&self->binary_text, g_free);
  g_clear_pointer (&self->shown_url, g_free);
  g_clear_pointer (&self->pending_line, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RwsConnect, rws_connect_clear)

int
rws_tool_connect (int    argc,
                  char **argv)
{
  g_auto(RwsConnect) self = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RwsToolPropertyOptions) property_values = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  g_autoptr(GError) error = NULL;
  const char *url;
  const GOptionEntry entries[] = {
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &self.protocol,
      N_("Protocol plugin that speaks to the server, such as jsonrpc (default: raw). Run “rws plugins” to list them"),
      N_("NAME") },
    { "codec", 0, 0, G_OPTION_ARG_STRING, &self.codec,
      N_("Codec plugin that decodes the payloads, such as json (default: text). Run “rws plugins” to list them"),
      N_("NAME") },
    { "subscribe", 's', 0, G_OPTION_ARG_STRING_ARRAY, &self.subscriptions,
      N_("Subscribe to TOPIC after every connect, as the protocol plugin does it. Repeat the option for more topics"),
      N_("TOPIC") },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &self.settings,
      N_("Set a key as in a configuration file: a client property, protocol.KEY, codec.KEY, header.NAME or subscribe. Repeat the option for more keys, which apply in the order given, after --protocol and --codec"),
      N_("KEY=VALUE") },
    { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &self.headers,
      N_("Add an HTTP header to every handshake, such as “Authorization: Bearer TOKEN”. Repeat the option for more headers"),
      N_("“NAME: VALUE”") },
    { "subprotocol", 0, 0, G_OPTION_ARG_STRING_ARRAY, &self.subprotocols,
      N_("Offer a WebSocket subprotocol in Sec-WebSocket-Protocol. Repeat the option for more subprotocols"),
      N_("NAME") },
    { "origin", 0, 0, G_OPTION_ARG_STRING, &self.origin,
      N_("Value of the Origin header of the handshake"),
      N_("ORIGIN") },
    { "fallback-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &self.fallback_urls,
      N_("URL to try after a failed attempt, in the order given. Repeat the option for more URLs"),
      N_("URL") },
    { "tls-ca-file", 0, 0, G_OPTION_ARG_FILENAME, &self.tls_ca_file,
      N_("PEM file of certificates to trust for wss:// URLs, in addition to the system's"),
      N_("FILE") },
    { "no-watch-network", 0, 0, G_OPTION_ARG_NONE, &self.no_watch_network,
      N_("Ignore the system's network monitor and retry on the backoff schedule only"),
      NULL },
    { "count", 'n', 0, G_OPTION_ARG_STRING, &self.count_text,
      N_("Exit after N messages have arrived (see below for the end of standard input)"),
      N_("N") },
    { "drain-timeout", 0, 0, G_OPTION_ARG_STRING, &self.drain_timeout_text,
      N_("Maximum time to wait for queued messages to be sent before exiting, in milliseconds (default: 10000)"),
      N_("MS") },
    { "binary", 0, 0, G_OPTION_ARG_STRING, &self.binary_text,
      N_("How binary messages are printed: base64, hex, or raw bytes with no newline (default: base64)"),
      N_("FORMAT") },
    { "jsonl", 0, 0, G_OPTION_ARG_NONE, &self.jsonl,
      N_("Print each message as one JSON object with its receive time in UTC, the URL without user information and query, the topic, the type and the data (the decoded JSON value with a JSON codec, binary data in base64)"),
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &self.quiet,
      N_("Print no lifecycle lines on standard error, only errors that end the program"),
      NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &self.verbose,
      N_("Also print debug lines on standard error"),
      NULL },
    { NULL }
  };

  property_values = rws_tool_property_options_new (property_options, G_N_ELEMENTS (property_options));

  context = g_option_context_new (_("URL"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Connect to a WebSocket server and stay connected. Print every message that\n"
                                  "arrives on standard output, one per line, and send every line of standard\n"
                                  "input as a text message."));
  g_option_context_set_description (context,
                                    _("While the connection is down, lines from standard input wait in the client's\n"
                                      "queue. When the queue is full, reading pauses until there is room, unless\n"
                                      "--queue-overflow=drop-oldest is given.\n"
                                      "\n"
                                      "At the end of standard input, rws waits up to --drain-timeout for queued\n"
                                      "messages to be sent, closes the connection with code 1000 and exits. With\n"
                                      "--count, the end of standard input does not end the program: rws runs until\n"
                                      "N messages have arrived, then sends what is queued and exits.\n"
                                      "\n"
                                      "A text message that contains line breaks is printed as it is. Use --jsonl to\n"
                                      "keep one message per line. Connection events and errors go to standard\n"
                                      "error. SIGINT and SIGTERM close the connection with code 1000 and exit.\n"
                                      "\n"
                                      "Exit status: 0 on success; 1 when the client gave up (see --max-attempts),\n"
                                      "a line was not sent or the queue did not drain in time; 2 on invalid\n"
                                      "options."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, rws_tool_property_options_get_entries (property_values), GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rws_tool_usage_error ("connect", error->message);

  if (argc < 2)
    return rws_tool_usage_error ("connect", _("missing URL, such as ws://127.0.0.1:8080/"));
  if (argc > 2)
    {
      /* Translators: the value is a command-line argument. */
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s” after the URL"), argv[2]);

      return rws_tool_usage_error ("connect", message);
    }

  url = argv[1];
  if (!rws_tool_check_url (NULL, url, &error) || !check_options (&self, &error))
    return rws_tool_usage_error ("connect", error->message);

  rws_tool_set_verbosity (self.quiet, self.verbose);

  self.client = rws_client_new (url);
  if (!configure_client (&self, property_values, &error))
    return rws_tool_usage_error ("connect", error->message);

  /* --set url=… may have replaced the URL argument. */
  self.shown_url = rws_tool_redact_url (rws_client_get_url (self.client));
  self.loop = g_main_loop_new (NULL, FALSE);
  self.lifecycle = rws_tool_lifecycle_new (self.client, NULL);

  g_signal_connect (self.client, "message", G_CALLBACK (on_message), &self);
  g_signal_connect (self.client, "ready", G_CALLBACK (on_ready), &self);
  g_signal_connect (self.client, "closed", G_CALLBACK (on_closed), &self);
  g_signal_connect (self.client, "notify::state", G_CALLBACK (on_notify_state), &self);

  self.sigint_source = g_unix_signal_add (SIGINT, on_signal, &self);
  self.sigterm_source = g_unix_signal_add (SIGTERM, on_signal, &self);

  stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  self.input = g_data_input_stream_new (stdin_stream);
  self.input_cancellable = g_cancellable_new ();

  rws_client_start (self.client);
  read_next_line (&self);

  /* The client may fail inside rws_client_start(), before the loop runs. */
  if (!self.finished)
    g_main_loop_run (self.loop);

  report_dropped (&self);

  return self.exit_status;
}
