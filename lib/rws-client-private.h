/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "rws-client.h"
#include "rws-backoff.h"
#include "rws-codec.h"
#include "rws-protocol.h"
#include "rws-subscription.h"
#include "rws-transport.h"

G_BEGIN_DECLS

/* One outgoing message, queued or about to be handed to a connection. */
typedef struct
{
  GBytes *payload;
  gboolean binary;
  GTask *task;  /* from rws_client_send_async(), or NULL */
} RwsOutgoing;

typedef struct _RwsAttempt RwsAttempt;

struct _RwsClient
{
  GObject parent_instance;

  /* Properties. */
  char *url;
  char *protocol;
  char *codec;
  GStrv subprotocols;
  char *origin;
  guint backoff_initial;
  guint backoff_max;
  double backoff_multiplier;
  RwsJitter backoff_jitter;
  int max_attempts;
  guint subscribe_attempts;
  guint stable_after;
  guint handshake_timeout;
  guint keepalive_interval;
  guint pong_timeout;
  guint idle_timeout;
  guint queue_limit;
  RwsOverflow queue_overflow;
  guint64 max_payload_size;
  gboolean watch_network;
  GNetworkMonitor *network_monitor;
  GStrv fallback_urls;
  char *tls_ca_file;
  SoupSession *session;

  /* Everything below belongs to the thread of @context, except the fields
   * under @lock. */
  GMainContext *context;
  GThread *thread;  /* the thread that created the client */
  RwsState state;

  /* Raised by every public call that changes the course of the client
   * (start, close, reconnect) and by every new connection, so code that
   * emitted a signal can tell whether a handler took over. */
  guint epoch;

  char *name;

  /* Plugins: created from the registry by name on first use. */
  RwsProtocol *protocol_instance;
  char *protocol_instance_name;
  RwsCodec *codec_instance;
  char *codec_instance_name;

  /* Subscriptions: a list for bindings, a table by topic, and the
   * per-connection bookkeeping of each (RwsSubscriptionSlot). */
  GListStore *subscriptions;
  GHashTable *subscriptions_by_topic;
  GHashTable *slots;
  gboolean restoring;
  guint protocol_handshake_source;
  guint heartbeat_source;

  GHashTable *headers;
  GTlsDatabase *tls_database;
  RwsBackoff *backoff;
  guint url_index;

  RwsAttempt *attempt;
  RwsTransport *transport;
  /* A transport that was sent a close frame and is waiting for the
   * peer's close frame. It is cut before the next attempt starts. */
  RwsTransport *retiring;
  gboolean has_connected;
  gboolean waiting_for_network;
  /* The monitor reported the network as unavailable since the last
   * successful reachability check. */
  gboolean network_lost;
  GCancellable *reach_cancellable;
  gulong network_changed_id;

  guint retry_source;
  guint stable_source;
  guint liveness_source;
  guint close_source;
  guint retiring_source;
  gint64 last_receive_time;
  gboolean in_ready_emission;

  GError *last_error;
  guint http_status;
  guint64 sequence;
  GList *start_tasks;

  /* Counters of the owner thread; accepted, queued and dropped live in
   * the locked part. */
  guint64 messages_in;
  guint64 messages_out;
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 reconnects;

  /* Guards the fields below, which any thread may touch through the send
   * functions. */
  GMutex lock;
  GQueue queue;
  gboolean send_ready;
  GSource *wake_source;
  guint64 accepted;
  guint64 dropped;
};

/* rws-client-connection.c: the state machine. */
void     rws_client_begin               (RwsClient *self);
void     rws_client_teardown            (RwsClient *self);
void     rws_client_set_state           (RwsClient *self,
                                         RwsState   state);
void     rws_client_connection_lost     (RwsClient    *self,
                                         gushort       code,
                                         const char   *reason,
                                         const GError *error);
void     rws_client_request_close       (RwsClient  *self,
                                         gushort     code,
                                         const char *reason);
void     rws_client_request_reconnect   (RwsClient *self);
void     rws_client_network_init        (RwsClient *self);
const char *rws_state_to_string         (RwsState state);

/* rws-client-connection.c, for the protocol binding. */
void     rws_client_mark_ready          (RwsClient *self);
void     rws_client_fail_connection     (RwsClient    *self,
                                         const GError *error,
                                         gboolean      fatal);
const char *rws_client_get_current_url_internal (RwsClient *self);

/* rws-client-subscriptions.c: plugins and subscriptions. */
gboolean rws_client_ensure_plugins      (RwsClient  *self,
                                         GError    **error);
char   **rws_client_dup_subprotocols    (RwsClient *self);
void     rws_client_subscriptions_init  (RwsClient *self);
void     rws_client_subscriptions_free  (RwsClient *self);
void     rws_client_connection_started  (RwsClient *self);
void     rws_client_connection_ended    (RwsClient *self);
void     rws_client_frame_received      (RwsClient *self,
                                         GBytes    *payload,
                                         gboolean   binary);
gboolean rws_client_protocol_send_frame (RwsClient *self,
                                         GBytes    *payload,
                                         gboolean   binary);
void     rws_client_protocol_ready      (RwsClient *self);
void     rws_client_protocol_deliver    (RwsClient       *self,
                                         RwsSubscription *subscription,
                                         const char      *topic,
                                         GBytes          *payload,
                                         gboolean         binary);
void     rws_client_protocol_fail       (RwsClient    *self,
                                         const GError *error,
                                         gboolean      fatal);
gboolean rws_client_protocol_is_connected (RwsClient *self);
gboolean rws_client_protocol_close_code_is_fatal (RwsClient *self,
                                                  guint      code);
void     rws_client_subscription_confirmed (RwsClient       *self,
                                            RwsSubscription *subscription,
                                            const char      *id);
void     rws_client_subscription_rejected  (RwsClient       *self,
                                            RwsSubscription *subscription,
                                            const GError    *error);
RwsSubscription *rws_client_find_subscription (RwsClient  *self,
                                               const char *topic);
GListModel *rws_client_empty_subscriptions (void);

/* rws-client-queue.c: outgoing messages. */
gboolean rws_client_enqueue             (RwsClient  *self,
                                         GBytes     *payload,
                                         gboolean    binary,
                                         GTask      *task,
                                         GError    **error);
void     rws_client_drain_queue         (RwsClient *self);
void     rws_client_set_send_ready      (RwsClient *self,
                                         gboolean   ready);
void     rws_client_fail_queued_tasks   (RwsClient    *self,
                                         const GError *error);
void     rws_outgoing_free              (RwsOutgoing *outgoing);

/* rws-client-policy.c: what each failure means for the next attempt. */
gboolean rws_policy_close_code_is_fatal (gushort code);
gboolean rws_policy_http_status_is_fatal (guint status);
gboolean rws_policy_handshake_is_fatal  (const GError *error,
                                         guint         http_status);
gboolean rws_policy_parse_retry_after   (const char *value,
                                         gint64      now_unix_seconds,
                                         guint      *delay_ms);
GError  *rws_policy_handshake_error     (const GError *error,
                                         guint         http_status,
                                         const char   *url,
                                         gboolean      timed_out,
                                         guint         timeout_ms);
GError  *rws_policy_close_error         (gushort     code,
                                         const char *reason);
gboolean rws_policy_validate_url        (const char  *url,
                                         GError     **error);
gboolean rws_policy_validate_header     (const char  *name,
                                         const char  *value,
                                         GError     **error);
char    *rws_policy_redact_url          (const char *url);

/* libsoup 3.2 has no name for 429 Too Many Requests (RFC 6585). */
#define RWS_HTTP_TOO_MANY_REQUESTS 429

/* For tests: the entry points that a pong timeout and a read error take. */
void     rws_client_inject_peer_timeout (RwsClient *self);
void     rws_client_inject_read_error   (RwsClient *self);

G_END_DECLS
