/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

static void
add_event (RwsRecorder *recorder,
           char        *event)
{
  if (recorder->closed > 0)
    recorder->signal_after_closed = TRUE;

  g_ptr_array_add (recorder->events, event);
}

static void
on_notify_state (RwsClient   *client,
                 GParamSpec  *pspec,
                 RwsRecorder *recorder)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (RWS_TYPE_STATE);
  GEnumValue *value = g_enum_get_value (klass, rws_client_get_state (client));

  add_event (recorder, g_strdup_printf ("state:%s", value->value_nick));
}

static void
on_prepare_handshake (RwsClient   *client,
                      SoupMessage *msg,
                      RwsRecorder *recorder)
{
  recorder->prepare_handshake++;
  add_event (recorder, g_strdup ("prepare-handshake"));
}

static void
on_connected (RwsClient   *client,
              RwsRecorder *recorder)
{
  recorder->connected++;
  add_event (recorder, g_strdup ("connected"));
}

static void
on_ready (RwsClient   *client,
          RwsRecorder *recorder)
{
  recorder->ready++;
  add_event (recorder, g_strdup ("ready"));
}

static void
on_message (RwsClient   *client,
            RwsMessage  *message,
            RwsRecorder *recorder)
{
  char *text;

  if (rws_message_is_binary (message))
    text = g_strdup_printf ("binary:%" G_GSIZE_FORMAT, g_bytes_get_size (rws_message_get_bytes (message)));
  else
    text = g_strdup (rws_message_get_text (message));

  g_ptr_array_add (recorder->messages, text);
  add_event (recorder, g_strdup_printf ("message:%s", text));
}

static void
on_reconnecting (RwsClient   *client,
                 guint        attempt,
                 guint        delay_ms,
                 RwsRecorder *recorder)
{
  recorder->reconnecting++;
  recorder->last_attempt = attempt;
  g_array_append_val (recorder->delays, delay_ms);
  add_event (recorder, g_strdup_printf ("reconnecting:%u:%u", attempt, delay_ms));
}

static void
on_disconnected (RwsClient   *client,
                 guint        code,
                 const char  *reason,
                 RwsRecorder *recorder)
{
  recorder->disconnected++;
  recorder->last_close_code = code;
  add_event (recorder, g_strdup_printf ("disconnected:%u", code));
}

static void
on_error (RwsClient    *client,
          const GError *error,
          RwsRecorder  *recorder)
{
  recorder->errors++;
  g_clear_error (&recorder->last_error);
  recorder->last_error = g_error_copy (error);
  add_event (recorder, g_strdup_printf ("error:%d", error->code));
}

static void
on_closed (RwsClient   *client,
           RwsRecorder *recorder)
{
  add_event (recorder, g_strdup ("closed"));
  recorder->closed++;
}

RwsRecorder *
rws_recorder_new (RwsClient *client)
{
  RwsRecorder *recorder = g_new0 (RwsRecorder, 1);

  recorder->client = g_object_ref (client);
  recorder->events = g_ptr_array_new_with_free_func (g_free);
  recorder->messages = g_ptr_array_new_with_free_func (g_free);
  recorder->delays = g_array_new (FALSE, FALSE, sizeof (guint));

  g_signal_connect (client, "notify::state", G_CALLBACK (on_notify_state), recorder);
  g_signal_connect (client, "connected", G_CALLBACK (on_connected), recorder);
  g_signal_connect (client, "ready", G_CALLBACK (on_ready), recorder);
  g_signal_connect (client, "message", G_CALLBACK (on_message), recorder);
  g_signal_connect (client, "reconnecting", G_CALLBACK (on_reconnecting), recorder);
  g_signal_connect (client, "disconnected", G_CALLBACK (on_disconnected), recorder);
  g_signal_connect (client, "error", G_CALLBACK (on_error), recorder);
  g_signal_connect (client, "closed", G_CALLBACK (on_closed), recorder);

  return recorder;
}

/* Not connected by rws_recorder_new(): a prepare-handshake handler
 * changes the policy for fatal handshake responses. */
void
rws_recorder_watch_handshake (RwsRecorder *recorder)
{
  g_signal_connect (recorder->client, "prepare-handshake", G_CALLBACK (on_prepare_handshake), recorder);
}

void
rws_recorder_clear (RwsRecorder *recorder)
{
  g_ptr_array_set_size (recorder->events, 0);
  g_ptr_array_set_size (recorder->messages, 0);
  g_array_set_size (recorder->delays, 0);
  recorder->connected = 0;
  recorder->ready = 0;
  recorder->disconnected = 0;
  recorder->reconnecting = 0;
  recorder->errors = 0;
  recorder->closed = 0;
  recorder->prepare_handshake = 0;
  recorder->signal_after_closed = FALSE;
  g_clear_error (&recorder->last_error);
}

void
rws_recorder_free (RwsRecorder *recorder)
{
  if (recorder == NULL)
    return;

  g_signal_handlers_disconnect_by_data (recorder->client, recorder);
  g_clear_object (&recorder->client);
  g_ptr_array_unref (recorder->events);
  g_ptr_array_unref (recorder->messages);
  g_array_unref (recorder->delays);
  g_clear_error (&recorder->last_error);
  g_free (recorder);
}

typedef struct
{
  RwsRecorder *recorder;
  RwsState state;
  const guint *counter;
  guint value;
} WaitData;

static gboolean
state_reached (gpointer user_data)
{
  WaitData *data = user_data;

  return rws_client_get_state (data->recorder->client) == data->state;
}

static gboolean
count_reached (gpointer user_data)
{
  WaitData *data = user_data;

  return *data->counter >= data->value;
}

gboolean
rws_recorder_wait_state (RwsRecorder *recorder,
                         RwsState     state,
                         guint        timeout_ms)
{
  WaitData data = { recorder, state, NULL, 0 };

  return rws_test_wait_until (state_reached, &data, timeout_ms);
}

gboolean
rws_recorder_wait_count (RwsRecorder *recorder,
                         const guint *counter,
                         guint        value,
                         guint        timeout_ms)
{
  WaitData data = { recorder, 0, counter, value };

  return rws_test_wait_until (count_reached, &data, timeout_ms);
}

gboolean
rws_recorder_has_event (RwsRecorder *recorder,
                        const char  *event)
{
  for (guint i = 0; i < recorder->events->len; i++)
    if (g_str_equal (g_ptr_array_index (recorder->events, i), event))
      return TRUE;

  return FALSE;
}

char *
rws_recorder_dump (RwsRecorder *recorder)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < recorder->events->len; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (recorder->events, i));
    }

  return g_string_free (text, FALSE);
}

/* Debug and info output is shown with --verbose or G_MESSAGES_DEBUG. */
static gboolean
show_debug (void)
{
  return g_test_verbose () || g_getenv ("G_MESSAGES_DEBUG") != NULL;
}

static GLogWriterOutput
quiet_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if ((log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 && !show_debug ())
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
quiet_handler (const char     *log_domain,
               GLogLevelFlags  log_level,
               const char     *message,
               gpointer        user_data)
{
  if ((log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 && !show_debug ())
    return;

  g_log_default_handler (log_domain, log_level, message, user_data);
}

/* GLib 2.74 prints every debug message in test mode, and libsoup writes
 * several per frame; without --verbose they are dropped. */
void
rws_test_init (int    *argc,
               char ***argv)
{
  g_test_init (argc, argv, NULL);
  g_log_set_default_handler (quiet_handler, NULL);
  g_log_set_writer_func (quiet_writer, NULL, NULL);
}
