/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rws-types.h"
#include "rws-codec.h"
#include "rws-message.h"
#include "rws-protocol.h"
#include "rws-subscription.h"

G_BEGIN_DECLS

/**
 * RwsStats:
 * @messages_in: messages received and delivered
 * @messages_out: messages handed to a connection for writing
 * @bytes_in: payload bytes received
 * @bytes_out: payload bytes handed to a connection for writing
 * @reconnects: connections opened after the first one
 * @queued: messages waiting in the offline queue now
 * @dropped: messages dropped from a full queue by
 *   %RWS_OVERFLOW_DROP_OLDEST
 * @accepted: messages accepted by the send functions
 *
 * Counters of a [class@Rws.Client], from [method@Rws.Client.get_stats].
 * Every message accepted by a send function is either handed to a
 * connection, still queued, or dropped: `accepted == messages_out +
 * queued + dropped` once no send is in progress on another thread.
 *
 * Since: 0.1
 */
typedef struct _RwsStats RwsStats;

struct _RwsStats
{
  guint64 messages_in;
  guint64 messages_out;
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 reconnects;
  guint64 queued;
  guint64 dropped;
  guint64 accepted;
};

#define RWS_TYPE_STATS (rws_stats_get_type ())

RWS_AVAILABLE_IN_ALL
GType     rws_stats_get_type (void) G_GNUC_CONST;
RWS_AVAILABLE_IN_ALL
RwsStats *rws_stats_copy     (const RwsStats *stats);
RWS_AVAILABLE_IN_ALL
void      rws_stats_free     (RwsStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsStats, rws_stats_free)

#define RWS_TYPE_CLIENT (rws_client_get_type ())

RWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (RwsClient, rws_client, RWS, CLIENT, GObject)

RWS_AVAILABLE_IN_ALL
RwsClient          *rws_client_new                    (const char *url);

RWS_AVAILABLE_IN_ALL
void                rws_client_start                  (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_start_async            (RwsClient           *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
RWS_AVAILABLE_IN_ALL
gboolean            rws_client_start_finish           (RwsClient     *self,
                                                       GAsyncResult  *result,
                                                       GError       **error);
RWS_AVAILABLE_IN_ALL
void                rws_client_close                  (RwsClient  *self,
                                                       gushort     code,
                                                       const char *reason);
RWS_AVAILABLE_IN_ALL
void                rws_client_reconnect              (RwsClient *self);

RWS_AVAILABLE_IN_ALL
gboolean            rws_client_send_text              (RwsClient   *self,
                                                       const char  *text,
                                                       GError     **error);
RWS_AVAILABLE_IN_ALL
gboolean            rws_client_send_bytes             (RwsClient  *self,
                                                       GBytes     *bytes,
                                                       GError    **error);
RWS_AVAILABLE_IN_ALL
gboolean            rws_client_send_json              (RwsClient  *self,
                                                       JsonNode   *node,
                                                       GError    **error);
RWS_AVAILABLE_IN_ALL
void                rws_client_send_async             (RwsClient             *self,
                                                       SoupWebsocketDataType  type,
                                                       GBytes                *data,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
RWS_AVAILABLE_IN_ALL
gboolean            rws_client_send_finish            (RwsClient     *self,
                                                       GAsyncResult  *result,
                                                       GError       **error);

RWS_AVAILABLE_IN_ALL
RwsSubscription    *rws_client_subscribe              (RwsClient  *self,
                                                       const char *topic,
                                                       JsonNode   *params);
RWS_AVAILABLE_IN_ALL
gboolean            rws_client_unsubscribe            (RwsClient  *self,
                                                       const char *topic);
RWS_AVAILABLE_IN_ALL
GListModel         *rws_client_get_subscriptions      (RwsClient *self);
RWS_AVAILABLE_IN_ALL
gboolean            rws_client_publish                (RwsClient   *self,
                                                       const char  *topic,
                                                       GBytes      *payload,
                                                       GError     **error);
RWS_AVAILABLE_IN_ALL
RwsProtocol        *rws_client_get_protocol_instance  (RwsClient  *self,
                                                       GError    **error);
RWS_AVAILABLE_IN_ALL
RwsCodec           *rws_client_get_codec_instance     (RwsClient  *self,
                                                       GError    **error);

RWS_AVAILABLE_IN_ALL
void                rws_client_set_header             (RwsClient  *self,
                                                       const char *name,
                                                       const char *value);
RWS_AVAILABLE_IN_ALL
const GError       *rws_client_get_last_error         (RwsClient *self);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_http_status        (RwsClient *self);
RWS_AVAILABLE_IN_ALL
RwsStats           *rws_client_get_stats              (RwsClient *self);

RWS_AVAILABLE_IN_ALL
const char         *rws_client_get_name               (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_name               (RwsClient  *self,
                                                       const char *name);
RWS_AVAILABLE_IN_ALL
const char         *rws_client_get_current_url        (RwsClient *self);
RWS_AVAILABLE_IN_ALL
const char         *rws_client_get_url                (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_url                (RwsClient  *self,
                                                       const char *url);
RWS_AVAILABLE_IN_ALL
RwsState            rws_client_get_state              (RwsClient *self);
RWS_AVAILABLE_IN_ALL
const char         *rws_client_get_protocol           (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_protocol           (RwsClient  *self,
                                                       const char *protocol);
RWS_AVAILABLE_IN_ALL
const char         *rws_client_get_codec              (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_codec              (RwsClient  *self,
                                                       const char *codec);
RWS_AVAILABLE_IN_ALL
const char * const *rws_client_get_subprotocols       (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_subprotocols       (RwsClient          *self,
                                                       const char * const *subprotocols);
RWS_AVAILABLE_IN_ALL
const char         *rws_client_get_origin             (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_origin             (RwsClient  *self,
                                                       const char *origin);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_backoff_initial    (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_backoff_initial    (RwsClient *self,
                                                       guint      backoff_initial);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_backoff_max        (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_backoff_max        (RwsClient *self,
                                                       guint      backoff_max);
RWS_AVAILABLE_IN_ALL
double              rws_client_get_backoff_multiplier (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_backoff_multiplier (RwsClient *self,
                                                       double     backoff_multiplier);
RWS_AVAILABLE_IN_ALL
RwsJitter           rws_client_get_backoff_jitter     (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_backoff_jitter     (RwsClient *self,
                                                       RwsJitter  backoff_jitter);
RWS_AVAILABLE_IN_ALL
int                 rws_client_get_max_attempts       (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_max_attempts       (RwsClient *self,
                                                       int        max_attempts);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_subscribe_attempts (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_subscribe_attempts (RwsClient *self,
                                                       guint      subscribe_attempts);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_stable_after       (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_stable_after       (RwsClient *self,
                                                       guint      stable_after);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_handshake_timeout  (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_handshake_timeout  (RwsClient *self,
                                                       guint      handshake_timeout);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_keepalive_interval (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_keepalive_interval (RwsClient *self,
                                                       guint      keepalive_interval);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_pong_timeout       (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_pong_timeout       (RwsClient *self,
                                                       guint      pong_timeout);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_idle_timeout       (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_idle_timeout       (RwsClient *self,
                                                       guint      idle_timeout);
RWS_AVAILABLE_IN_ALL
guint               rws_client_get_queue_limit        (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_queue_limit        (RwsClient *self,
                                                       guint      queue_limit);
RWS_AVAILABLE_IN_ALL
RwsOverflow         rws_client_get_queue_overflow     (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_queue_overflow     (RwsClient   *self,
                                                       RwsOverflow  queue_overflow);
RWS_AVAILABLE_IN_ALL
guint64             rws_client_get_max_payload_size   (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_max_payload_size   (RwsClient *self,
                                                       guint64    max_payload_size);
RWS_AVAILABLE_IN_ALL
gboolean            rws_client_get_watch_network      (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_watch_network      (RwsClient *self,
                                                       gboolean   watch_network);
RWS_AVAILABLE_IN_ALL
GNetworkMonitor    *rws_client_get_network_monitor    (RwsClient *self);
RWS_AVAILABLE_IN_ALL
const char * const *rws_client_get_fallback_urls      (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_fallback_urls      (RwsClient          *self,
                                                       const char * const *fallback_urls);
RWS_AVAILABLE_IN_ALL
const char         *rws_client_get_tls_ca_file        (RwsClient *self);
RWS_AVAILABLE_IN_ALL
void                rws_client_set_tls_ca_file        (RwsClient  *self,
                                                       const char *tls_ca_file);
RWS_AVAILABLE_IN_ALL
SoupSession        *rws_client_get_session            (RwsClient *self);

G_END_DECLS
