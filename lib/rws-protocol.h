/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "rws-codec.h"
#include "rws-subscription.h"

G_BEGIN_DECLS

#define RWS_TYPE_PROTOCOL (rws_protocol_get_type ())

RWS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (RwsProtocol, rws_protocol, RWS, PROTOCOL, GObject)

/**
 * RwsProtocolClass:
 * @parent_class: the parent class
 * @get_subprotocols: returns the `Sec-WebSocket-Protocol` values the
 *   protocol offers
 * @opened: the WebSocket is open: send the protocol handshake and call
 *   [method@Rws.Protocol.mark_ready] when it is done
 * @frame_received: a message arrived: parse its envelope and hand the
 *   payload to [method@Rws.Protocol.deliver]
 * @subscribe: send the frame that subscribes @subscription; call
 *   [method@Rws.Protocol.confirm_subscription] or
 *   [method@Rws.Protocol.reject_subscription] when the server replies
 * @unsubscribe: send the frame that ends @subscription
 * @publish: build the frame that publishes @payload to @topic; the client
 *   queues it like any other message
 * @heartbeat: send an application-level ping; called every
 *   [property@Rws.Protocol:heartbeat-interval] while connected
 * @reset: forget every per-connection state; called before each new
 *   connection
 * @close_code_is_fatal: whether a close code from the server means that
 *   reconnecting cannot help
 *
 * The virtual functions of a protocol plugin. Every function runs on the
 * main context of the client that uses the protocol.
 *
 * Since: 0.1
 */
struct _RwsProtocolClass
{
  GObjectClass parent_class;

  char    **(*get_subprotocols)    (RwsProtocol     *self);
  void      (*opened)              (RwsProtocol     *self);
  void      (*frame_received)      (RwsProtocol     *self,
                                    GBytes          *payload,
                                    gboolean         binary);
  void      (*subscribe)           (RwsProtocol     *self,
                                    RwsSubscription *subscription);
  void      (*unsubscribe)         (RwsProtocol     *self,
                                    RwsSubscription *subscription);
  GBytes   *(*publish)             (RwsProtocol     *self,
                                    const char      *topic,
                                    GBytes          *payload,
                                    gboolean        *binary,
                                    GError         **error);
  void      (*heartbeat)           (RwsProtocol     *self);
  void      (*reset)               (RwsProtocol     *self);
  gboolean  (*close_code_is_fatal) (RwsProtocol     *self,
                                    guint            code);

  /*< private >*/
  gpointer padding[12];
};

RWS_AVAILABLE_IN_ALL
gboolean         rws_protocol_send_frame           (RwsProtocol     *self,
                                                    GBytes          *payload,
                                                    gboolean         binary);
RWS_AVAILABLE_IN_ALL
gboolean         rws_protocol_send_text            (RwsProtocol     *self,
                                                    const char      *text);
RWS_AVAILABLE_IN_ALL
void             rws_protocol_mark_ready           (RwsProtocol     *self);
RWS_AVAILABLE_IN_ALL
void             rws_protocol_deliver              (RwsProtocol     *self,
                                                    RwsSubscription *subscription,
                                                    const char      *topic,
                                                    GBytes          *payload,
                                                    gboolean         binary);
RWS_AVAILABLE_IN_ALL
void             rws_protocol_fail                 (RwsProtocol     *self,
                                                    const GError    *error,
                                                    gboolean         fatal);
RWS_AVAILABLE_IN_ALL
void             rws_protocol_confirm_subscription (RwsProtocol     *self,
                                                    RwsSubscription *subscription,
                                                    const char      *id);
RWS_AVAILABLE_IN_ALL
void             rws_protocol_reject_subscription  (RwsProtocol     *self,
                                                    RwsSubscription *subscription,
                                                    const GError    *error);
RWS_AVAILABLE_IN_ALL
RwsSubscription *rws_protocol_find_subscription    (RwsProtocol     *self,
                                                    const char      *topic);
RWS_AVAILABLE_IN_ALL
RwsSubscription *rws_protocol_find_subscription_by_id (RwsProtocol *self,
                                                        const char  *id);
RWS_AVAILABLE_IN_ALL
GListModel      *rws_protocol_get_subscriptions    (RwsProtocol     *self);
RWS_AVAILABLE_IN_ALL
gboolean         rws_protocol_is_connected         (RwsProtocol     *self);
RWS_AVAILABLE_IN_ALL
guint            rws_protocol_get_ack_timeout      (RwsProtocol     *self);
RWS_AVAILABLE_IN_ALL
void             rws_protocol_set_ack_timeout      (RwsProtocol     *self,
                                                    guint            ack_timeout);
RWS_AVAILABLE_IN_ALL
guint            rws_protocol_get_heartbeat_interval (RwsProtocol   *self);
RWS_AVAILABLE_IN_ALL
void             rws_protocol_set_heartbeat_interval (RwsProtocol   *self,
                                                      guint          heartbeat_interval);

G_END_DECLS
