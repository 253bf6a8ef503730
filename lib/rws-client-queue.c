/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Outgoing messages.
 *
 * Any thread may call the send functions. Each message is appended to one
 * FIFO under the client's lock, so the order of each thread is kept. Only
 * the thread of the client's main context hands messages to the
 * connection: it drains the queue right after the ready handlers return,
 * at once when it sends itself while READY, and from an idle callback that
 * other threads schedule when they send while READY.
 *
 * The queue limit applies while the client is not READY. While it is
 * READY, messages from other threads wait only until the main context runs
 * the idle callback, so they are not counted against the limit.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rws-client-private.h"

void
rws_outgoing_free (RwsOutgoing *outgoing)
{
  g_clear_pointer (&outgoing->payload, g_bytes_unref);
  g_clear_object (&outgoing->task);
  g_free (outgoing);
}

static void
hand_to_transport (RwsClient   *self,
                   RwsOutgoing *outgoing)
{
  rws_transport_send (self->transport, outgoing->binary, outgoing->payload);
  self->messages_out++;
  self->bytes_out += g_bytes_get_size (outgoing->payload);

  /* NOTE: libsoup writes the frame later from its output source and has no
   * completion callback for one message, so send_async completes when the
   * message is handed to the connection, not when the kernel took it. */
  if (outgoing->task != NULL)
    g_task_return_boolean (outgoing->task, TRUE);

  rws_outgoing_free (outgoing);
}

static gboolean
can_write (RwsClient *self)
{
  return self->state == RWS_STATE_READY &&
         self->transport != NULL &&
         rws_transport_is_open (self->transport);
}

/* Hands queued messages to the connection in order until the queue is
 * empty or the connection is gone. A task callback may close the client,
 * so the state is checked before every message. */
void
rws_client_drain_queue (RwsClient *self)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);

  while (can_write (self))
    {
      RwsOutgoing *outgoing;

      g_mutex_lock (&self->lock);
      outgoing = g_queue_pop_head (&self->queue);
      g_mutex_unlock (&self->lock);

      if (outgoing == NULL)
        break;

      hand_to_transport (self, outgoing);
    }
}

static gboolean
wake_dispatch (gpointer user_data)
{
  RwsClient *self = user_data;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->wake_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  rws_client_drain_queue (self);

  return G_SOURCE_REMOVE;
}

/* Called with the lock held. */
static void
schedule_wake_locked (RwsClient *self)
{
  if (self->wake_source != NULL)
    return;

  self->wake_source = g_idle_source_new ();
  g_source_set_priority (self->wake_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->wake_source, wake_dispatch, self, NULL);
  g_source_set_static_name (self->wake_source, "[rws] drain queue");
  g_source_attach (self->wake_source, self->context);
}

void
rws_client_set_send_ready (RwsClient *self,
                           gboolean   ready)
{
  g_mutex_lock (&self->lock);
  self->send_ready = ready;
  if (!ready && self->wake_source != NULL)
    {
      g_source_destroy (self->wake_source);
      g_clear_pointer (&self->wake_source, g_source_unref);
    }
  g_mutex_unlock (&self->lock);
}

/* Completes every queued send_async task with @error and removes those
 * messages; plain messages stay queued for the next connection. */
void
rws_client_fail_queued_tasks (RwsClient    *self,
                              const GError *error)
{
  GQueue failed = G_QUEUE_INIT;
  GList *link;

  g_mutex_lock (&self->lock);
  link = self->queue.head;
  while (link != NULL)
    {
      GList *next = link->next;
      RwsOutgoing *outgoing = link->data;

      if (outgoing->task != NULL)
        {
          g_queue_unlink (&self->queue, link);
          g_queue_push_tail_link (&failed, link);
          self->dropped++;
        }
      link = next;
    }
  g_mutex_unlock (&self->lock);

  while (!g_queue_is_empty (&failed))
    {
      RwsOutgoing *outgoing = g_queue_pop_head (&failed);

      g_task_return_error (outgoing->task, g_error_copy (error));
      rws_outgoing_free (outgoing);
    }
}

/*
 * Takes ownership of nothing: @payload and @task are referenced.
 *
 * Messages sent from a ready handler go to the connection at once, ahead
 * of the queue. Everything else joins the queue, which is drained here
 * when the caller owns the main context and the client is READY.
 */
gboolean
rws_client_enqueue (RwsClient  *self,
                    GBytes     *payload,
                    gboolean    binary,
                    GTask      *task,
                    GError    **error)
{
  RwsOutgoing *outgoing;
  RwsOutgoing *dropped = NULL;
  gboolean owner = g_main_context_is_owner (self->context);
  gboolean acquired = FALSE;
  gboolean drain;

  /* On the client's own thread outside a dispatch, for example in a
   * program that iterates the context itself, no thread owns the context.
   * Acquiring it lets the message go out at once, as in a handler. */
  if (!owner && g_thread_self () == self->thread)
    owner = acquired = g_main_context_acquire (self->context);

  outgoing = g_new0 (RwsOutgoing, 1);
  outgoing->payload = g_bytes_ref (payload);
  outgoing->binary = binary;
  outgoing->task = task != NULL ? g_object_ref (task) : NULL;

  if (owner && self->in_ready_emission && self->transport != NULL &&
      rws_transport_is_open (self->transport))
    {
      g_mutex_lock (&self->lock);
      self->accepted++;
      g_mutex_unlock (&self->lock);

      hand_to_transport (self, outgoing);
      if (acquired)
        g_main_context_release (self->context);
      return TRUE;
    }

  g_mutex_lock (&self->lock);

  if (!self->send_ready && self->queue.length >= self->queue_limit)
    {
      if (self->queue_overflow == RWS_OVERFLOW_REJECT || self->queue.length == 0)
        {
          guint limit = self->queue_limit;

          g_mutex_unlock (&self->lock);
          if (acquired)
            g_main_context_release (self->context);
          rws_outgoing_free (outgoing);
          g_set_error (error, RWS_ERROR, RWS_ERROR_QUEUE_FULL,
                       /* Translators: the value is the number of messages the queue holds. */
                       _("The send queue is full (%u messages) while the client is not connected; "
                         "raise queue-limit or set queue-overflow to drop-oldest"),
                       limit);
          return FALSE;
        }

      dropped = g_queue_pop_head (&self->queue);
      self->dropped++;
    }

  g_queue_push_tail (&self->queue, outgoing);
  self->accepted++;

  drain = self->send_ready;
  if (drain && !owner)
    schedule_wake_locked (self);

  g_mutex_unlock (&self->lock);

  if (dropped != NULL)
    {
      if (dropped->task != NULL)
        g_task_return_new_error (dropped->task, RWS_ERROR, RWS_ERROR_QUEUE_FULL,
                                 _("The message was dropped from the full send queue to make room for a newer one"));
      rws_outgoing_free (dropped);
    }

  if (drain && owner)
    rws_client_drain_queue (self);
  if (acquired)
    g_main_context_release (self->context);

  return TRUE;
}
