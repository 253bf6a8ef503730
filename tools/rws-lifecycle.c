/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Lifecycle lines about one client on stderr: connected, disconnected,
 * reconnecting, errors. They are g_message() calls, so --quiet drops them
 * (see rws.c).
 *
 * The client emits "disconnected" and then "reconnecting" when a link
 * drops, and these become one line:
 *
 *   rws: disconnected (1006), reconnecting in 1234 ms (attempt 3)
 *
 * A failed attempt that never connected emits "error" and then
 * "reconnecting", which become two lines. An error that comes with a
 * disconnect is printed before the joined line. When the client reaches
 * RWS_STATE_FAILED, a "giving up" line shows its last error, even with
 * --quiet.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "rws-tool.h"

struct _RwsToolLifecycle
{
  RwsClient *client;
  /* "[NAME] " for a named endpoint, or "". */
  char *prefix;

  /* A "disconnected" signal that waits for the "reconnecting" signal. */
  gboolean disconnect_pending;
  guint disconnect_code;
  char *disconnect_reason;
  /* An error that waits for the next event: the client emits the error
   * that makes it give up just before it fails, and the "giving up" line
   * shows that error once. */
  char *pending_error;
  /* The last error printed, and how often it came again since, so a
   * stream of identical errors (a codec that cannot decode any message)
   * prints one line and a count. */
  char *printed_error;
  guint repeats;
  guint reported_repeats;
};

static void report (RwsToolLifecycle *self,
                    const char       *format,
                    ...) G_GNUC_PRINTF (2, 3);

static void
report (RwsToolLifecycle *self,
        const char       *format,
        ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_message ("%s%s", self->prefix, text);
}

static char *
format_disconnect (RwsToolLifecycle *self)
{
  if (self->disconnect_reason != NULL && *self->disconnect_reason != '\0')
    /* Translators: the values are a WebSocket close code and the reason the peer gave. */
    return g_strdup_printf (_("disconnected (%u: %s)"), self->disconnect_code, self->disconnect_reason);

  /* Translators: the value is a WebSocket close code, 1006 when the link dropped without a close frame. */
  return g_strdup_printf (_("disconnected (%u)"), self->disconnect_code);
}

static void
report_repeats (RwsToolLifecycle *self)
{
  if (self->repeats == self->reported_repeats)
    return;

  /* Translators: the value is a count. */
  report (self, g_dngettext (GETTEXT_PACKAGE, "the error above came %u more time",
                             "the error above came %u more times", self->repeats),
          self->repeats);
  self->reported_repeats = self->repeats;
}

static void
flush_error (RwsToolLifecycle *self)
{
  g_autofree char *message = g_steal_pointer (&self->pending_error);

  report_repeats (self);
  if (message == NULL)
    return;

  report (self, "%s", message);
  g_free (self->printed_error);
  self->printed_error = g_steal_pointer (&message);
  self->repeats = 0;
  self->reported_repeats = 0;
}

/* Prints a "disconnected" line that no "reconnecting" signal followed, so
 * that lines stay in the order of the events. */
static void
flush_disconnect (RwsToolLifecycle *self)
{
  g_autofree char *text = NULL;

  if (!self->disconnect_pending)
    return;

  text = format_disconnect (self);
  report (self, "%s", text);

  self->disconnect_pending = FALSE;
  g_clear_pointer (&self->disconnect_reason, g_free);
}

static void
on_connected (RwsClient        *client,
              RwsToolLifecycle *self)
{
  g_autofree char *url = rws_tool_redact_url (rws_client_get_current_url (client));

  flush_error (self);
  flush_disconnect (self);

  /* Translators: the value is a URL. */
  report (self, _("connected to %s"), url);
}

/* An error that comes between "disconnected" and "reconnecting" is
 * printed before the reconnecting line, so the disconnect still joins it. */
static void
on_error (RwsClient        *client,
          const GError     *error,
          RwsToolLifecycle *self)
{
  /* A repeat of the error printed last is counted, and the count shown
   * at 10, 100, 1000 and so on, and before the next other line. */
  if (self->pending_error == NULL && g_strcmp0 (error->message, self->printed_error) == 0)
    {
      guint count = ++self->repeats;

      while (count % 10 == 0)
        count /= 10;
      if (count == 1)
        report_repeats (self);
      return;
    }

  /* The same error twice in a row: print the first, count the rest. */
  if (g_strcmp0 (error->message, self->pending_error) == 0)
    {
      flush_error (self);
      self->repeats = 1;
      return;
    }

  flush_error (self);
  g_clear_pointer (&self->printed_error, g_free);
  self->pending_error = g_strdup (error->message);
}

static void
on_disconnected (RwsClient        *client,
                 guint             code,
                 const char       *reason,
                 RwsToolLifecycle *self)
{
  flush_error (self);
  flush_disconnect (self);

  self->disconnect_pending = TRUE;
  self->disconnect_code = code;
  self->disconnect_reason = g_strdup (reason);
}

static void
on_reconnecting (RwsClient        *client,
                 guint             attempt,
                 guint             delay_ms,
                 RwsToolLifecycle *self)
{
  flush_error (self);

  if (self->disconnect_pending)
    {
      g_autofree char *disconnect = format_disconnect (self);

      /* Translators: the first value is "disconnected (CODE)", then a delay
       * in milliseconds and the number of the next connection attempt. */
      report (self, _("%s, reconnecting in %u ms (attempt %u)"), disconnect, delay_ms, attempt);

      self->disconnect_pending = FALSE;
      g_clear_pointer (&self->disconnect_reason, g_free);
    }
  else
    {
      /* Translators: the values are a delay in milliseconds and the number of the next connection attempt. */
      report (self, _("reconnecting in %u ms (attempt %u)"), delay_ms, attempt);
    }
}

static void
on_closed (RwsClient        *client,
           RwsToolLifecycle *self)
{
  flush_error (self);
  flush_disconnect (self);
}

/* Prints the error that made the client give up. The line is an error,
 * so --quiet does not hide it. */
static void
on_notify_state (RwsClient        *client,
                 GParamSpec       *pspec,
                 RwsToolLifecycle *self)
{
  RwsState state = rws_client_get_state (client);
  const GError *error;

  if (state != RWS_STATE_FAILED && state != RWS_STATE_CLOSED)
    return;

  if (state != RWS_STATE_FAILED)
    {
      flush_error (self);
      flush_disconnect (self);
      return;
    }

  /* The pending error is the one that made the client fail: the giving up
   * line shows it. */
  g_clear_pointer (&self->pending_error, g_free);
  flush_disconnect (self);

  error = rws_client_get_last_error (client);
  if (error != NULL)
    /* Translators: the first value is "[ENDPOINT] " or empty, the second an error message. */
    rws_tool_print_error (_("%sgiving up: %s"), self->prefix, error->message);
  else
    /* Translators: the value is "[ENDPOINT] " or empty. */
    rws_tool_print_error (_("%sgiving up"), self->prefix);
}

/* Prints lifecycle lines about @client until the returned object is freed.
 * @endpoint names the endpoint in every line, or is NULL when there is only
 * one. */
RwsToolLifecycle *
rws_tool_lifecycle_new (RwsClient  *client,
                        const char *endpoint)
{
  RwsToolLifecycle *self = g_new0 (RwsToolLifecycle, 1);

  self->client = g_object_ref (client);
  self->prefix = endpoint != NULL ? g_strdup_printf ("[%s] ", endpoint) : g_strdup ("");

  g_signal_connect (client, "connected", G_CALLBACK (on_connected), self);
  g_signal_connect (client, "error", G_CALLBACK (on_error), self);
  g_signal_connect (client, "disconnected", G_CALLBACK (on_disconnected), self);
  g_signal_connect (client, "reconnecting", G_CALLBACK (on_reconnecting), self);
  g_signal_connect (client, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (client, "notify::state", G_CALLBACK (on_notify_state), self);

  return self;
}

void
rws_tool_lifecycle_free (RwsToolLifecycle *self)
{
  if (self == NULL)
    return;

  flush_disconnect (self);

  g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_free (self->prefix);
  g_free (self->pending_error);
  g_free (self->printed_error);
  g_free (self->disconnect_reason);
  g_free (self);
}
