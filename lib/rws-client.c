/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rws-i18n.h"

#include "rws-client-private.h"
#include "rws-enum-types.h"

/**
 * RwsClient:
 *
 * A WebSocket client that keeps its connection alive.
 *
 * A client connects to [property@Rws.Client:url] when started and
 * reconnects after every failure through an exponential backoff with
 * jitter, until [method@Rws.Client.close] is called or it gives up in
 * %RWS_STATE_FAILED. It detects dead peers with pings
 * ([property@Rws.Client:keepalive-interval] and
 * [property@Rws.Client:pong-timeout]) and keeps outgoing messages in a
 * queue while it is not connected.
 *
 * ## Threads
 *
 * A client belongs to the thread-default main context of the thread that
 * created it: its signals are emitted there and its methods must be called
 * there. The exceptions are [method@Rws.Client.send_text],
 * [method@Rws.Client.send_bytes] and [method@Rws.Client.send_json], which
 * any thread may call: each message joins the queue at once and the
 * client's main context writes it, keeping the order of each thread.
 *
 * ## Re-entrancy
 *
 * A signal handler may call [method@Rws.Client.close],
 * [method@Rws.Client.reconnect], [method@Rws.Client.start], the send
 * functions, or drop the last reference to the client.
 *
 * ## Delivery
 *
 * Messages go out in the order they were sent. While the client is not
 * %RWS_STATE_READY they wait in the queue, and each is handed to a
 * connection once. With the raw protocol, a message that was handed to a
 * connection that then dropped may be lost: the raw protocol has no
 * acknowledgements to tell.
 *
 * Since: 0.1
 */

enum {
  PROP_0,
  PROP_NAME,
  PROP_URL,
  PROP_STATE,
  PROP_PROTOCOL,
  PROP_CODEC,
  PROP_SUBPROTOCOLS,
  PROP_ORIGIN,
  PROP_BACKOFF_INITIAL,
  PROP_BACKOFF_MAX,
  PROP_BACKOFF_MULTIPLIER,
  PROP_BACKOFF_JITTER,
  PROP_MAX_ATTEMPTS,
  PROP_SUBSCRIBE_ATTEMPTS,
  PROP_STABLE_AFTER,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_KEEPALIVE_INTERVAL,
  PROP_PONG_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_QUEUE_LIMIT,
  PROP_QUEUE_OVERFLOW,
  PROP_MAX_PAYLOAD_SIZE,
  PROP_WATCH_NETWORK,
  PROP_NETWORK_MONITOR,
  PROP_FALLBACK_URLS,
  PROP_TLS_CA_FILE,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PREPARE_HANDSHAKE,
  SIGNAL_CONNECTED,
  SIGNAL_READY,
  SIGNAL_MESSAGE,
  SIGNAL_RECONNECTING,
  SIGNAL_DISCONNECTED,
  SIGNAL_ERROR,
  SIGNAL_CLOSED,
  N_SIGNALS
};

guint rws_client_signals[N_SIGNALS];

#define DEFAULT_BACKOFF_INITIAL 1000
#define DEFAULT_BACKOFF_MAX 30000
#define DEFAULT_BACKOFF_MULTIPLIER 2.0
#define DEFAULT_MAX_ATTEMPTS -1
#define DEFAULT_SUBSCRIBE_ATTEMPTS 5
#define DEFAULT_STABLE_AFTER 30000
#define DEFAULT_HANDSHAKE_TIMEOUT 10000
#define DEFAULT_KEEPALIVE_INTERVAL 15000
#define DEFAULT_PONG_TIMEOUT 10000
#define DEFAULT_QUEUE_LIMIT 1024
#define DEFAULT_MAX_PAYLOAD_SIZE (16 * 1024 * 1024)

G_DEFINE_FINAL_TYPE (RwsClient, rws_client, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (RwsStats, rws_stats, rws_stats_copy, rws_stats_free)

/* The process-wide session that clients of the global default main context
 * share when none is given. It lives while a client uses it. */
static GWeakRef default_session;
G_LOCK_DEFINE_STATIC (default_session);

static SoupSession *
create_session (void)
{
  return soup_session_new_with_options ("user-agent", "rws/" PACKAGE_VERSION " ",
                                        "max-conns", 1024,
                                        "max-conns-per-host", 256,
                                        NULL);
}

static SoupSession *
get_default_session (GMainContext *context)
{
  SoupSession *session;

  /* A SoupSession belongs to the main context it was created for. */
  if (context != g_main_context_default ())
    return create_session ();

  G_LOCK (default_session);
  session = g_weak_ref_get (&default_session);
  if (session == NULL)
    {
      session = create_session ();
      g_weak_ref_set (&default_session, session);
    }
  G_UNLOCK (default_session);

  return session;
}

static void
rws_client_constructed (GObject *object)
{
  RwsClient *self = RWS_CLIENT (object);

  G_OBJECT_CLASS (rws_client_parent_class)->constructed (object);

  if (self->session == NULL)
    self->session = get_default_session (self->context);

  rws_client_network_init (self);
}

static void
rws_client_dispose (GObject *object)
{
  RwsClient *self = RWS_CLIENT (object);

  rws_client_teardown (self);
  rws_client_subscriptions_free (self);

  g_mutex_lock (&self->lock);
  if (self->wake_source != NULL)
    {
      g_source_destroy (self->wake_source);
      g_clear_pointer (&self->wake_source, g_source_unref);
    }
  g_mutex_unlock (&self->lock);

  if (self->network_monitor != NULL)
    g_clear_signal_handler (&self->network_changed_id, self->network_monitor);

  g_clear_object (&self->network_monitor);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (rws_client_parent_class)->dispose (object);
}

static void
rws_client_finalize (GObject *object)
{
  RwsClient *self = RWS_CLIENT (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) rws_outgoing_free);
  g_mutex_clear (&self->lock);

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->protocol, g_free);
  g_clear_pointer (&self->codec, g_free);
  g_clear_pointer (&self->subprotocols, g_strfreev);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->fallback_urls, g_strfreev);
  g_clear_pointer (&self->tls_ca_file, g_free);
  g_clear_pointer (&self->headers, g_hash_table_unref);
  g_clear_pointer (&self->backoff, rws_backoff_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->last_error);

  G_OBJECT_CLASS (rws_client_parent_class)->finalize (object);
}

static void
rws_client_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RwsClient *self = RWS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_CODEC:
      g_value_set_string (value, self->codec);
      break;
    case PROP_SUBPROTOCOLS:
      g_value_set_boxed (value, self->subprotocols);
      break;
    case PROP_ORIGIN:
      g_value_set_string (value, self->origin);
      break;
    case PROP_BACKOFF_INITIAL:
      g_value_set_uint (value, self->backoff_initial);
      break;
    case PROP_BACKOFF_MAX:
      g_value_set_uint (value, self->backoff_max);
      break;
    case PROP_BACKOFF_MULTIPLIER:
      g_value_set_double (value, self->backoff_multiplier);
      break;
    case PROP_BACKOFF_JITTER:
      g_value_set_enum (value, self->backoff_jitter);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_int (value, self->max_attempts);
      break;
    case PROP_SUBSCRIBE_ATTEMPTS:
      g_value_set_uint (value, self->subscribe_attempts);
      break;
    case PROP_STABLE_AFTER:
      g_value_set_uint (value, self->stable_after);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_uint (value, self->handshake_timeout);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;
    case PROP_PONG_TIMEOUT:
      g_value_set_uint (value, self->pong_timeout);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    case PROP_QUEUE_LIMIT:
      g_value_set_uint (value, self->queue_limit);
      break;
    case PROP_QUEUE_OVERFLOW:
      g_value_set_enum (value, self->queue_overflow);
      break;
    case PROP_MAX_PAYLOAD_SIZE:
      g_value_set_uint64 (value, self->max_payload_size);
      break;
    case PROP_WATCH_NETWORK:
      g_value_set_boolean (value, self->watch_network);
      break;
    case PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->network_monitor);
      break;
    case PROP_FALLBACK_URLS:
      g_value_set_boxed (value, self->fallback_urls);
      break;
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, self->tls_ca_file);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_client_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RwsClient *self = RWS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      rws_client_set_name (self, g_value_get_string (value));
      break;
    case PROP_URL:
      rws_client_set_url (self, g_value_get_string (value));
      break;
    case PROP_PROTOCOL:
      rws_client_set_protocol (self, g_value_get_string (value));
      break;
    case PROP_CODEC:
      rws_client_set_codec (self, g_value_get_string (value));
      break;
    case PROP_SUBPROTOCOLS:
      rws_client_set_subprotocols (self, g_value_get_boxed (value));
      break;
    case PROP_ORIGIN:
      rws_client_set_origin (self, g_value_get_string (value));
      break;
    case PROP_BACKOFF_INITIAL:
      rws_client_set_backoff_initial (self, g_value_get_uint (value));
      break;
    case PROP_BACKOFF_MAX:
      rws_client_set_backoff_max (self, g_value_get_uint (value));
      break;
    case PROP_BACKOFF_MULTIPLIER:
      rws_client_set_backoff_multiplier (self, g_value_get_double (value));
      break;
    case PROP_BACKOFF_JITTER:
      rws_client_set_backoff_jitter (self, g_value_get_enum (value));
      break;
    case PROP_MAX_ATTEMPTS:
      rws_client_set_max_attempts (self, g_value_get_int (value));
      break;
    case PROP_SUBSCRIBE_ATTEMPTS:
      rws_client_set_subscribe_attempts (self, g_value_get_uint (value));
      break;
    case PROP_STABLE_AFTER:
      rws_client_set_stable_after (self, g_value_get_uint (value));
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      rws_client_set_handshake_timeout (self, g_value_get_uint (value));
      break;
    case PROP_KEEPALIVE_INTERVAL:
      rws_client_set_keepalive_interval (self, g_value_get_uint (value));
      break;
    case PROP_PONG_TIMEOUT:
      rws_client_set_pong_timeout (self, g_value_get_uint (value));
      break;
    case PROP_IDLE_TIMEOUT:
      rws_client_set_idle_timeout (self, g_value_get_uint (value));
      break;
    case PROP_QUEUE_LIMIT:
      rws_client_set_queue_limit (self, g_value_get_uint (value));
      break;
    case PROP_QUEUE_OVERFLOW:
      rws_client_set_queue_overflow (self, g_value_get_enum (value));
      break;
    case PROP_MAX_PAYLOAD_SIZE:
      rws_client_set_max_payload_size (self, g_value_get_uint64 (value));
      break;
    case PROP_WATCH_NETWORK:
      rws_client_set_watch_network (self, g_value_get_boolean (value));
      break;
    case PROP_NETWORK_MONITOR:
      self->network_monitor = g_value_dup_object (value);
      break;
    case PROP_FALLBACK_URLS:
      rws_client_set_fallback_urls (self, g_value_get_boxed (value));
      break;
    case PROP_TLS_CA_FILE:
      rws_client_set_tls_ca_file (self, g_value_get_string (value));
      break;
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_client_class_init (RwsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  rws_i18n_init ();

  object_class->constructed = rws_client_constructed;
  object_class->dispose = rws_client_dispose;
  object_class->finalize = rws_client_finalize;
  object_class->get_property = rws_client_get_property;
  object_class->set_property = rws_client_set_property;

  /**
   * RwsClient:name: (getter get_name) (setter set_name)
   *
   * The endpoint name, such as the group name of a configuration file.
   * Tools tag their output with it.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * RwsClient:url: (getter get_url) (setter set_url)
   *
   * The `ws://` or `wss://` URL to connect to. A change applies from the
   * next connection attempt.
   *
   * Since: 0.1
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, flags);

  /**
   * RwsClient:state: (getter get_state)
   *
   * The connection state.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RWS_TYPE_STATE, RWS_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * RwsClient:protocol: (getter get_protocol) (setter set_protocol)
   *
   * The name of the protocol plugin that speaks on the connection. The
   * built-in `raw` protocol is ready right after the WebSocket handshake.
   * A change applies from the next start.
   *
   * Since: 0.1
   */
  properties[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL, "raw", flags);

  /**
   * RwsClient:codec: (getter get_codec) (setter set_codec)
   *
   * The name of the codec plugin that decodes payloads, such as `text`,
   * `binary` or `json`. A change applies from the next start.
   *
   * Since: 0.1
   */
  properties[PROP_CODEC] =
    g_param_spec_string ("codec", NULL, NULL, "text", flags);

  /**
   * RwsClient:subprotocols: (getter get_subprotocols) (setter set_subprotocols)
   *
   * Extra `Sec-WebSocket-Protocol` values offered in the handshake.
   *
   * Since: 0.1
   */
  properties[PROP_SUBPROTOCOLS] =
    g_param_spec_boxed ("subprotocols", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * RwsClient:origin: (getter get_origin) (setter set_origin)
   *
   * The `Origin` header of the handshake, or `NULL` for none.
   *
   * Since: 0.1
   */
  properties[PROP_ORIGIN] =
    g_param_spec_string ("origin", NULL, NULL, NULL, flags);

  /**
   * RwsClient:backoff-initial: (getter get_backoff_initial) (setter set_backoff_initial)
   *
   * The first retry delay before jitter, in milliseconds.
   *
   * Since: 0.1
   */
  properties[PROP_BACKOFF_INITIAL] =
    g_param_spec_uint ("backoff-initial", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_BACKOFF_INITIAL, flags);

  /**
   * RwsClient:backoff-max: (getter get_backoff_max) (setter set_backoff_max)
   *
   * The cap on any retry delay, in milliseconds. It also caps the
   * delay of a `Retry-After` header.
   *
   * Since: 0.1
   */
  properties[PROP_BACKOFF_MAX] =
    g_param_spec_uint ("backoff-max", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_BACKOFF_MAX, flags);

  /**
   * RwsClient:backoff-multiplier: (getter get_backoff_multiplier) (setter set_backoff_multiplier)
   *
   * The growth of the retry delay per failed attempt.
   *
   * Since: 0.1
   */
  properties[PROP_BACKOFF_MULTIPLIER] =
    g_param_spec_double ("backoff-multiplier", NULL, NULL,
                         1.0, 1000.0, DEFAULT_BACKOFF_MULTIPLIER, flags);

  /**
   * RwsClient:backoff-jitter: (getter get_backoff_jitter) (setter set_backoff_jitter)
   *
   * How retry delays are randomized.
   *
   * Since: 0.1
   */
  properties[PROP_BACKOFF_JITTER] =
    g_param_spec_enum ("backoff-jitter", NULL, NULL,
                       RWS_TYPE_JITTER, RWS_JITTER_DECORRELATED, flags);

  /**
   * RwsClient:max-attempts: (getter get_max_attempts) (setter set_max_attempts)
   *
   * The number of failed attempts in a row after which the client gives
   * up in %RWS_STATE_FAILED, or -1 to never give up. A connection that
   * drops before [property@Rws.Client:stable-after] counts as a failed
   * attempt.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_int ("max-attempts", NULL, NULL,
                      -1, G_MAXINT, DEFAULT_MAX_ATTEMPTS, flags);

  /**
   * RwsClient:subscribe-attempts: (getter get_subscribe_attempts) (setter set_subscribe_attempts)
   *
   * How many times one subscription that gets no confirmation is sent
   * before it is failed. Protocols without confirmations ignore it.
   *
   * Since: 0.1
   */
  properties[PROP_SUBSCRIBE_ATTEMPTS] =
    g_param_spec_uint ("subscribe-attempts", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_SUBSCRIBE_ATTEMPTS, flags);

  /**
   * RwsClient:stable-after: (getter get_stable_after) (setter set_stable_after)
   *
   * How long a connection must stay up, in milliseconds, before the
   * backoff starts again from [property@Rws.Client:backoff-initial].
   *
   * Since: 0.1
   */
  properties[PROP_STABLE_AFTER] =
    g_param_spec_uint ("stable-after", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_STABLE_AFTER, flags);

  /**
   * RwsClient:handshake-timeout: (getter get_handshake_timeout) (setter set_handshake_timeout)
   *
   * The time in milliseconds within which name resolution, TCP, TLS and
   * the HTTP upgrade must finish; 0 disables the limit.
   *
   * Since: 0.1
   */
  properties[PROP_HANDSHAKE_TIMEOUT] =
    g_param_spec_uint ("handshake-timeout", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_HANDSHAKE_TIMEOUT, flags);

  /**
   * RwsClient:keepalive-interval: (getter get_keepalive_interval) (setter set_keepalive_interval)
   *
   * The interval between WebSocket pings, in milliseconds; 0 disables
   * pings. libsoup pings in whole seconds, so the interval is rounded up
   * to the next second. A change applies from the next connection.
   *
   * Since: 0.1
   */
  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_KEEPALIVE_INTERVAL, flags);

  /**
   * RwsClient:pong-timeout: (getter get_pong_timeout) (setter set_pong_timeout)
   *
   * How long after a ping is due the client waits for the pong, in
   * milliseconds, before it takes the peer for dead; 0 disables the check.
   * Any incoming frame counts as a sign of life.
   *
   * Since: 0.1
   */
  properties[PROP_PONG_TIMEOUT] =
    g_param_spec_uint ("pong-timeout", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_PONG_TIMEOUT, flags);

  /**
   * RwsClient:idle-timeout: (getter get_idle_timeout) (setter set_idle_timeout)
   *
   * The longest time without any incoming frame, in milliseconds, before
   * the client takes the peer for dead; 0 disables the check.
   *
   * Since: 0.1
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL,
                       0, G_MAXUINT, 0, flags);

  /**
   * RwsClient:queue-limit: (getter get_queue_limit) (setter set_queue_limit)
   *
   * The maximum number of queued messages while the client is not
   * %RWS_STATE_READY.
   *
   * Since: 0.1
   */
  properties[PROP_QUEUE_LIMIT] =
    g_param_spec_uint ("queue-limit", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_QUEUE_LIMIT, flags);

  /**
   * RwsClient:queue-overflow: (getter get_queue_overflow) (setter set_queue_overflow)
   *
   * What happens to a message sent while the queue is full.
   *
   * Since: 0.1
   */
  properties[PROP_QUEUE_OVERFLOW] =
    g_param_spec_enum ("queue-overflow", NULL, NULL,
                       RWS_TYPE_OVERFLOW, RWS_OVERFLOW_REJECT, flags);

  /**
   * RwsClient:max-payload-size: (getter get_max_payload_size) (setter set_max_payload_size)
   *
   * The largest incoming message accepted, in bytes. A larger message
   * ends the connection with %RWS_ERROR_PAYLOAD_TOO_LARGE: libsoup 3.2
   * cuts it without a close frame, so the client reports close code 1006,
   * and then reconnects. A change applies from the next connection.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_PAYLOAD_SIZE] =
    g_param_spec_uint64 ("max-payload-size", NULL, NULL,
                         0, G_MAXUINT64, DEFAULT_MAX_PAYLOAD_SIZE, flags);

  /**
   * RwsClient:watch-network: (getter get_watch_network) (setter set_watch_network)
   *
   * Whether attempts wait while [property@Rws.Client:network-monitor]
   * reports that the endpoint's address cannot be reached, and start at once,
   * with the backoff reset, when it can be reached again.
   *
   * Since: 0.1
   */
  properties[PROP_WATCH_NETWORK] =
    g_param_spec_boolean ("watch-network", NULL, NULL, TRUE, flags);

  /**
   * RwsClient:network-monitor: (getter get_network_monitor)
   *
   * The network monitor followed by [property@Rws.Client:watch-network];
   * the system's default monitor when not set at construction.
   *
   * Since: 0.1
   */
  properties[PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RwsClient:fallback-urls: (getter get_fallback_urls) (setter set_fallback_urls)
   *
   * Further URLs tried in turn after a failed attempt.
   *
   * Since: 0.1
   */
  properties[PROP_FALLBACK_URLS] =
    g_param_spec_boxed ("fallback-urls", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * RwsClient:tls-ca-file: (getter get_tls_ca_file) (setter set_tls_ca_file)
   *
   * A PEM file of extra certificate authorities trusted for `wss://`, in
   * addition to the system's. Other certificate errors are fatal.
   *
   * Since: 0.1
   */
  properties[PROP_TLS_CA_FILE] =
    g_param_spec_string ("tls-ca-file", NULL, NULL, NULL, flags);

  /**
   * RwsClient:session: (getter get_session)
   *
   * The libsoup session that makes the connections. Clients created on
   * the global default main context share one session unless they are
   * given one; clients of other main contexts get their own.
   *
   * Since: 0.1
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RwsClient::prepare-handshake:
   * @self: the client
   * @msg: the HTTP request of the upgrade
   *
   * Emitted before each connection attempt: the place to set fresh tokens
   * and headers on @msg. While a handler is connected, fatal handshake
   * responses (400, 401, 403, 404) are retried at the maximum delay instead
   * of failing the client, because the handler may fix the credentials.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_PREPARE_HANDSHAKE] =
    g_signal_new ("prepare-handshake", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SOUP_TYPE_MESSAGE);

  /**
   * RwsClient::connected:
   * @self: the client
   *
   * Emitted when the WebSocket handshake finished.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * RwsClient::ready:
   * @self: the client
   *
   * Emitted after every successful connection once the protocol is ready.
   * Messages sent from a handler go out first, then the queue drains.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * RwsClient::message:
   * @self: the client
   * @message: the decoded message
   *
   * Emitted for each incoming message.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, RWS_TYPE_MESSAGE);

  /**
   * RwsClient::reconnecting:
   * @self: the client
   * @attempt: the number of failed attempts in a row, from 1
   * @delay_ms: the wait before the next attempt, in milliseconds
   *
   * Emitted before each backoff wait.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_RECONNECTING] =
    g_signal_new ("reconnecting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * RwsClient::disconnected:
   * @self: the client
   * @code: the WebSocket close code, 1006 when the connection ended
   *   without a close frame
   * @reason: (nullable): the close reason
   *
   * Emitted when a connection that was open ended.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * RwsClient::error:
   * @self: the client
   * @error: the error
   *
   * Emitted for each error the client handles itself: it goes on
   * reconnecting unless the state became %RWS_STATE_FAILED.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * RwsClient::closed:
   * @self: the client
   *
   * Emitted once when [method@Rws.Client.close] finished. After it no
   * other signal is emitted until the client is started again.
   *
   * Since: 0.1
   */
  rws_client_signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rws_client_init (RwsClient *self)
{
  self->protocol = g_strdup ("raw");
  self->codec = g_strdup ("text");
  self->backoff_initial = DEFAULT_BACKOFF_INITIAL;
  self->backoff_max = DEFAULT_BACKOFF_MAX;
  self->backoff_multiplier = DEFAULT_BACKOFF_MULTIPLIER;
  self->backoff_jitter = RWS_JITTER_DECORRELATED;
  self->max_attempts = DEFAULT_MAX_ATTEMPTS;
  self->subscribe_attempts = DEFAULT_SUBSCRIBE_ATTEMPTS;
  self->stable_after = DEFAULT_STABLE_AFTER;
  self->handshake_timeout = DEFAULT_HANDSHAKE_TIMEOUT;
  self->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
  self->pong_timeout = DEFAULT_PONG_TIMEOUT;
  self->queue_limit = DEFAULT_QUEUE_LIMIT;
  self->queue_overflow = RWS_OVERFLOW_REJECT;
  self->max_payload_size = DEFAULT_MAX_PAYLOAD_SIZE;
  self->watch_network = TRUE;
  self->state = RWS_STATE_DISCONNECTED;

  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_self ();
  self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->backoff = rws_backoff_new (self->backoff_initial, self->backoff_max,
                                   self->backoff_multiplier, self->backoff_jitter);

  g_mutex_init (&self->lock);
  g_queue_init (&self->queue);

  rws_client_subscriptions_init (self);
}

/* A file that cannot be loaded leaves no extra trust: certificate errors
 * stay fatal, and the error is reported when the next attempt fails. */
static void
reload_tls_database (RwsClient *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->tls_database);
  if (self->tls_ca_file == NULL)
    return;

  {
    /* GTlsFileDatabase takes absolute paths only. */
    g_autofree char *path = g_canonicalize_filename (self->tls_ca_file, NULL);

    self->tls_database = g_tls_file_database_new (path, &error);
  }
  if (self->tls_database == NULL)
    g_warning ("Could not load the CA file “%s” set in tls-ca-file: %s",
               self->tls_ca_file, error->message);
}

static void
reconfigure_backoff (RwsClient *self)
{
  rws_backoff_configure (self->backoff, self->backoff_initial, self->backoff_max,
                         self->backoff_multiplier, self->backoff_jitter);
}

/**
 * rws_client_new:
 * @url: (nullable): a `ws://` or `wss://` URL
 *
 * Creates a client for @url. It does nothing until
 * [method@Rws.Client.start] is called.
 *
 * Returns: (transfer full): a new client
 *
 * Since: 0.1
 */
RwsClient *
rws_client_new (const char *url)
{
  return g_object_new (RWS_TYPE_CLIENT, "url", url, NULL);
}

/**
 * rws_client_start:
 * @self: a client
 *
 * Starts connecting. A client in %RWS_STATE_DISCONNECTED,
 * %RWS_STATE_CLOSED or %RWS_STATE_FAILED starts over with a fresh
 * backoff; in any other state this does nothing. An invalid URL makes the
 * client %RWS_STATE_FAILED with %RWS_ERROR_INVALID_URL.
 *
 * Since: 0.1
 */
void
rws_client_start (RwsClient *self)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  rws_client_begin (self);
}

/**
 * rws_client_start_async:
 * @self: a client
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called on the client's main context when done
 * @user_data: data for @callback
 *
 * Starts connecting, like [method@Rws.Client.start], and completes at the
 * next time the client is %RWS_STATE_READY, with the error that made it
 * %RWS_STATE_FAILED, or with %RWS_ERROR_CLOSED when it is closed first.
 * Cancelling stops waiting; the client keeps running.
 *
 * Since: 0.1
 */
void
rws_client_start_async (RwsClient           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RWS_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rws_client_start_async);
  g_task_set_return_on_cancel (task, TRUE);

  if (self->state == RWS_STATE_READY)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->start_tasks = g_list_append (self->start_tasks, g_object_ref (task));
  rws_client_begin (self);
}

/**
 * rws_client_start_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rws.Client.start_async].
 *
 * Returns: `TRUE` when the client became ready
 *
 * Since: 0.1
 */
gboolean
rws_client_start_finish (RwsClient     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rws_client_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rws_client_close:
 * @self: a client
 * @code: the WebSocket close code to send, usually 1000
 * @reason: (nullable): the close reason to send
 *
 * Closes the client. Valid in every state. With an open connection, a
 * close frame is sent, and the client finishes when the server's close
 * frame arrives or cuts the connection after 2 seconds. It never blocks
 * the main loop.
 * Then [signal@Rws.Client::closed] is emitted once and nothing else
 * happens until the client is started again.
 *
 * Queued messages stay queued for the next start, except those of
 * [method@Rws.Client.send_async], which fail with %RWS_ERROR_CLOSED.
 *
 * Since: 0.1
 */
void
rws_client_close (RwsClient  *self,
                  gushort     code,
                  const char *reason)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  rws_client_request_close (self, code, reason);
}

/**
 * rws_client_reconnect:
 * @self: a client
 *
 * Drops the current connection, if any, and connects again after the
 * backoff delay. A client that is not running starts. While the client is
 * %RWS_STATE_CLOSING this does nothing: call [method@Rws.Client.start]
 * after [signal@Rws.Client::closed] instead.
 *
 * Since: 0.1
 */
void
rws_client_reconnect (RwsClient *self)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  rws_client_request_reconnect (self);
}

/**
 * rws_client_send_text:
 * @self: a client
 * @text: a UTF-8 string
 * @error: return location for an error
 *
 * Sends @text as a text message, or queues it while the client is not
 * %RWS_STATE_READY. Any thread may call this.
 *
 * Returns: `TRUE` when the message was accepted; `FALSE` with
 *   %RWS_ERROR_QUEUE_FULL when the queue is full and
 *   [property@Rws.Client:queue-overflow] is %RWS_OVERFLOW_REJECT
 *
 * Since: 0.1
 */
gboolean
rws_client_send_text (RwsClient   *self,
                      const char  *text,
                      GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED,
                           _("The text is not valid UTF-8; send it with rws_client_send_bytes() as a binary message"));
      return FALSE;
    }

  bytes = g_bytes_new (text, strlen (text));

  return rws_client_enqueue (self, bytes, FALSE, NULL, error);
}

/**
 * rws_client_send_bytes:
 * @self: a client
 * @bytes: the payload
 * @error: return location for an error
 *
 * Sends @bytes as a binary message, or queues it while the client is not
 * %RWS_STATE_READY. Any thread may call this.
 *
 * Returns: `TRUE` when the message was accepted
 *
 * Since: 0.1
 */
gboolean
rws_client_send_bytes (RwsClient  *self,
                       GBytes     *bytes,
                       GError    **error)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return rws_client_enqueue (self, bytes, TRUE, NULL, error);
}

/**
 * rws_client_send_json:
 * @self: a client
 * @node: a JSON value
 * @error: return location for an error
 *
 * Sends @node serialized as a compact JSON text message, or queues it
 * while the client is not %RWS_STATE_READY. Any thread may call this.
 *
 * Returns: `TRUE` when the message was accepted
 *
 * Since: 0.1
 */
gboolean
rws_client_send_json (RwsClient  *self,
                      JsonNode   *node,
                      GError    **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;

  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = json_to_string (node, FALSE);
  length = strlen (text);
  bytes = g_bytes_new_take (g_steal_pointer (&text), length);

  return rws_client_enqueue (self, bytes, FALSE, NULL, error);
}

/**
 * rws_client_send_async:
 * @self: a client
 * @type: %SOUP_WEBSOCKET_DATA_TEXT or %SOUP_WEBSOCKET_DATA_BINARY
 * @data: the payload; valid UTF-8 for a text message
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called on the client's main context when done
 * @user_data: data for @callback
 *
 * Sends a message like [method@Rws.Client.send_bytes] and completes when
 * the message was handed to a connection for writing. It fails with
 * %RWS_ERROR_QUEUE_FULL when the queue rejects it or drops it for a newer
 * one, and with %RWS_ERROR_CLOSED when the client is closed first.
 * Until then the pending call holds a reference on the client, so close
 * the client before dropping the last reference.
 *
 * Since: 0.1
 */
void
rws_client_send_async (RwsClient             *self,
                       SoupWebsocketDataType  type,
                       GBytes                *data,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *text;

  g_return_if_fail (RWS_IS_CLIENT (self));
  g_return_if_fail (type == SOUP_WEBSOCKET_DATA_TEXT || type == SOUP_WEBSOCKET_DATA_BINARY);
  g_return_if_fail (data != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rws_client_send_async);

  text = g_bytes_get_data (data, &size);
  if (type == SOUP_WEBSOCKET_DATA_TEXT && !g_utf8_validate_len (text, size, NULL))
    {
      g_task_return_new_error (task, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED,
                               _("The text is not valid UTF-8; send it as a binary message"));
      return;
    }

  if (!rws_client_enqueue (self, data, type == SOUP_WEBSOCKET_DATA_BINARY, task, &error))
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * rws_client_send_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rws.Client.send_async].
 *
 * Returns: `TRUE` when the message was handed to a connection
 *
 * Since: 0.1
 */
gboolean
rws_client_send_finish (RwsClient     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rws_client_send_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rws_client_set_header:
 * @self: a client
 * @name: a header name
 * @value: (nullable): the value, or `NULL` to remove the header
 *
 * Sets a header sent with every handshake from the next attempt on. The
 * name must be an HTTP token and the value must not contain line breaks
 * or other control characters.
 *
 * Since: 0.1
 */
void
rws_client_set_header (RwsClient  *self,
                       const char *name,
                       const char *value)
{
  g_return_if_fail (RWS_IS_CLIENT (self));
  g_return_if_fail (rws_policy_validate_header (name, value, NULL));

  if (value == NULL)
    g_hash_table_remove (self->headers, name);
  else
    g_hash_table_replace (self->headers, g_strdup (name), g_strdup (value));
}

/**
 * rws_client_get_last_error:
 * @self: a client
 *
 * Gets the error of the last failed attempt or ended connection.
 *
 * Returns: (nullable) (transfer none): the last error, or `NULL`
 *
 * Since: 0.1
 */
const GError *
rws_client_get_last_error (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->last_error;
}

/**
 * rws_client_get_http_status:
 * @self: a client
 *
 * Gets the HTTP status of the last handshake: 101 when it succeeded, 0
 * when no response arrived.
 *
 * Returns: the HTTP status
 *
 * Since: 0.1
 */
guint
rws_client_get_http_status (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->http_status;
}

/**
 * rws_client_get_stats:
 * @self: a client
 *
 * Gets a copy of the client's counters.
 *
 * Returns: (transfer full): the counters; free them with [method@Rws.Stats.free]
 *
 * Since: 0.1
 */
RwsStats *
rws_client_get_stats (RwsClient *self)
{
  RwsStats *stats;

  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  stats = g_new0 (RwsStats, 1);
  stats->messages_in = self->messages_in;
  stats->messages_out = self->messages_out;
  stats->bytes_in = self->bytes_in;
  stats->bytes_out = self->bytes_out;
  stats->reconnects = self->reconnects;

  g_mutex_lock (&self->lock);
  stats->queued = self->queue.length;
  stats->dropped = self->dropped;
  stats->accepted = self->accepted;
  g_mutex_unlock (&self->lock);

  return stats;
}

/**
 * rws_stats_copy:
 * @stats: counters
 *
 * Copies @stats.
 *
 * Returns: (transfer full): a copy
 *
 * Since: 0.1
 */
RwsStats *
rws_stats_copy (const RwsStats *stats)
{
  g_return_val_if_fail (stats != NULL, NULL);

  return g_memdup2 (stats, sizeof *stats);
}

/**
 * rws_stats_free:
 * @stats: counters
 *
 * Frees @stats.
 *
 * Since: 0.1
 */
void
rws_stats_free (RwsStats *stats)
{
  g_free (stats);
}

/**
 * rws_client_get_name: (get-property name)
 * @self: a client
 *
 * Gets [property@Rws.Client:name].
 *
 * Returns: (nullable): the endpoint name
 *
 * Since: 0.1
 */
const char *
rws_client_get_name (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->name;
}

/**
 * rws_client_set_name: (set-property name)
 * @self: a client
 * @name: (nullable): the endpoint name
 *
 * Sets [property@Rws.Client:name].
 *
 * Since: 0.1
 */
void
rws_client_set_name (RwsClient *self,
                    const char *name)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (g_strcmp0 (self->name, name) == 0)
    return;

  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * rws_client_get_url: (get-property url)
 * @self: a client
 *
 * Gets [property@Rws.Client:url].
 *
 * Returns: (nullable): the URL
 *
 * Since: 0.1
 */
const char *
rws_client_get_url (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->url;
}

/**
 * rws_client_set_url: (set-property url)
 * @self: a client
 * @url: (nullable): the URL
 *
 * Sets [property@Rws.Client:url].
 *
 * Since: 0.1
 */
void
rws_client_set_url (RwsClient *self,
                    const char *url)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (g_strcmp0 (self->url, url) == 0)
    return;

  g_free (self->url);
  self->url = g_strdup (url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}

/**
 * rws_client_get_protocol: (get-property protocol)
 * @self: a client
 *
 * Gets [property@Rws.Client:protocol].
 *
 * Returns: (nullable): the protocol plugin name
 *
 * Since: 0.1
 */
const char *
rws_client_get_protocol (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->protocol;
}

/**
 * rws_client_set_protocol: (set-property protocol)
 * @self: a client
 * @protocol: (nullable): the protocol plugin name
 *
 * Sets [property@Rws.Client:protocol].
 *
 * Since: 0.1
 */
void
rws_client_set_protocol (RwsClient *self,
                         const char *protocol)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (g_strcmp0 (self->protocol, protocol) == 0)
    return;

  g_free (self->protocol);
  self->protocol = g_strdup (protocol);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL]);
}

/**
 * rws_client_get_codec: (get-property codec)
 * @self: a client
 *
 * Gets [property@Rws.Client:codec].
 *
 * Returns: (nullable): the codec plugin name
 *
 * Since: 0.1
 */
const char *
rws_client_get_codec (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->codec;
}

/**
 * rws_client_set_codec: (set-property codec)
 * @self: a client
 * @codec: (nullable): the codec plugin name
 *
 * Sets [property@Rws.Client:codec].
 *
 * Since: 0.1
 */
void
rws_client_set_codec (RwsClient *self,
                      const char *codec)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (g_strcmp0 (self->codec, codec) == 0)
    return;

  g_free (self->codec);
  self->codec = g_strdup (codec);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODEC]);
}

/**
 * rws_client_get_subprotocols: (get-property subprotocols)
 * @self: a client
 *
 * Gets [property@Rws.Client:subprotocols].
 *
 * Returns: (nullable) (transfer none) (array zero-terminated=1): the extra subprotocols
 *
 * Since: 0.1
 */
const char * const *
rws_client_get_subprotocols (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return (const char * const *) self->subprotocols;
}

/**
 * rws_client_set_subprotocols: (set-property subprotocols)
 * @self: a client
 * @subprotocols: (nullable) (array zero-terminated=1): the extra subprotocols
 *
 * Sets [property@Rws.Client:subprotocols].
 *
 * Since: 0.1
 */
void
rws_client_set_subprotocols (RwsClient *self,
                             const char * const *subprotocols)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->subprotocols == NULL && (subprotocols == NULL || subprotocols[0] == NULL))
    return;
  if (self->subprotocols != NULL && subprotocols != NULL && g_strv_equal ((const char * const *) self->subprotocols, subprotocols))
    return;

  g_strfreev (self->subprotocols);
  self->subprotocols = subprotocols != NULL && subprotocols[0] != NULL ? g_strdupv ((char **) subprotocols): NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBPROTOCOLS]);
}

/**
 * rws_client_get_origin: (get-property origin)
 * @self: a client
 *
 * Gets [property@Rws.Client:origin].
 *
 * Returns: (nullable): the `Origin` header
 *
 * Since: 0.1
 */
const char *
rws_client_get_origin (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->origin;
}

/**
 * rws_client_set_origin: (set-property origin)
 * @self: a client
 * @origin: (nullable): the `Origin` header
 *
 * Sets [property@Rws.Client:origin].
 *
 * Since: 0.1
 */
void
rws_client_set_origin (RwsClient *self,
                       const char *origin)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (g_strcmp0 (self->origin, origin) == 0)
    return;

  g_free (self->origin);
  self->origin = g_strdup (origin);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIGIN]);
}

/**
 * rws_client_get_backoff_initial: (get-property backoff-initial)
 * @self: a client
 *
 * Gets [property@Rws.Client:backoff-initial].
 *
 * Returns: the first retry delay in milliseconds
 *
 * Since: 0.1
 */
guint
rws_client_get_backoff_initial (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->backoff_initial;
}

/**
 * rws_client_set_backoff_initial: (set-property backoff-initial)
 * @self: a client
 * @backoff_initial: the first retry delay in milliseconds
 *
 * Sets [property@Rws.Client:backoff-initial].
 *
 * Since: 0.1
 */
void
rws_client_set_backoff_initial (RwsClient *self,
                                guint backoff_initial)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->backoff_initial == backoff_initial)
    return;

  self->backoff_initial = backoff_initial;
  reconfigure_backoff (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKOFF_INITIAL]);
}

/**
 * rws_client_get_backoff_max: (get-property backoff-max)
 * @self: a client
 *
 * Gets [property@Rws.Client:backoff-max].
 *
 * Returns: the cap on retry delays in milliseconds
 *
 * Since: 0.1
 */
guint
rws_client_get_backoff_max (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->backoff_max;
}

/**
 * rws_client_set_backoff_max: (set-property backoff-max)
 * @self: a client
 * @backoff_max: the cap on retry delays in milliseconds
 *
 * Sets [property@Rws.Client:backoff-max].
 *
 * Since: 0.1
 */
void
rws_client_set_backoff_max (RwsClient *self,
                            guint backoff_max)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->backoff_max == backoff_max)
    return;

  self->backoff_max = backoff_max;
  reconfigure_backoff (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKOFF_MAX]);
}

/**
 * rws_client_get_backoff_multiplier: (get-property backoff-multiplier)
 * @self: a client
 *
 * Gets [property@Rws.Client:backoff-multiplier].
 *
 * Returns: the growth of the retry delay per failed attempt
 *
 * Since: 0.1
 */
double
rws_client_get_backoff_multiplier (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->backoff_multiplier;
}

/**
 * rws_client_set_backoff_multiplier: (set-property backoff-multiplier)
 * @self: a client
 * @backoff_multiplier: the growth of the retry delay per failed attempt
 *
 * Sets [property@Rws.Client:backoff-multiplier].
 *
 * Since: 0.1
 */
void
rws_client_set_backoff_multiplier (RwsClient *self,
                                   double backoff_multiplier)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  g_return_if_fail (backoff_multiplier >= 1.0);

  if (self->backoff_multiplier == backoff_multiplier)
    return;

  self->backoff_multiplier = backoff_multiplier;
  reconfigure_backoff (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKOFF_MULTIPLIER]);
}

/**
 * rws_client_get_backoff_jitter: (get-property backoff-jitter)
 * @self: a client
 *
 * Gets [property@Rws.Client:backoff-jitter].
 *
 * Returns: the jitter kind
 *
 * Since: 0.1
 */
RwsJitter
rws_client_get_backoff_jitter (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->backoff_jitter;
}

/**
 * rws_client_set_backoff_jitter: (set-property backoff-jitter)
 * @self: a client
 * @backoff_jitter: the jitter kind
 *
 * Sets [property@Rws.Client:backoff-jitter].
 *
 * Since: 0.1
 */
void
rws_client_set_backoff_jitter (RwsClient *self,
                               RwsJitter backoff_jitter)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->backoff_jitter == backoff_jitter)
    return;

  self->backoff_jitter = backoff_jitter;
  reconfigure_backoff (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKOFF_JITTER]);
}

/**
 * rws_client_get_max_attempts: (get-property max-attempts)
 * @self: a client
 *
 * Gets [property@Rws.Client:max-attempts].
 *
 * Returns: the number of failed attempts in a row before giving up, or -1
 *
 * Since: 0.1
 */
int
rws_client_get_max_attempts (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->max_attempts;
}

/**
 * rws_client_set_max_attempts: (set-property max-attempts)
 * @self: a client
 * @max_attempts: the number of failed attempts in a row before giving up, or -1
 *
 * Sets [property@Rws.Client:max-attempts].
 *
 * Since: 0.1
 */
void
rws_client_set_max_attempts (RwsClient *self,
                             int max_attempts)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  g_return_if_fail (max_attempts >= -1);

  if (self->max_attempts == max_attempts)
    return;

  self->max_attempts = max_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
}

/**
 * rws_client_get_subscribe_attempts: (get-property subscribe-attempts)
 * @self: a client
 *
 * Gets [property@Rws.Client:subscribe-attempts].
 *
 * Returns: the tries of one unconfirmed subscription
 *
 * Since: 0.1
 */
guint
rws_client_get_subscribe_attempts (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->subscribe_attempts;
}

/**
 * rws_client_set_subscribe_attempts: (set-property subscribe-attempts)
 * @self: a client
 * @subscribe_attempts: the tries of one unconfirmed subscription
 *
 * Sets [property@Rws.Client:subscribe-attempts].
 *
 * Since: 0.1
 */
void
rws_client_set_subscribe_attempts (RwsClient *self,
                                   guint subscribe_attempts)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  g_return_if_fail (subscribe_attempts >= 1);

  if (self->subscribe_attempts == subscribe_attempts)
    return;

  self->subscribe_attempts = subscribe_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBSCRIBE_ATTEMPTS]);
}

/**
 * rws_client_get_stable_after: (get-property stable-after)
 * @self: a client
 *
 * Gets [property@Rws.Client:stable-after].
 *
 * Returns: the time in milliseconds after which a connection resets the backoff
 *
 * Since: 0.1
 */
guint
rws_client_get_stable_after (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->stable_after;
}

/**
 * rws_client_set_stable_after: (set-property stable-after)
 * @self: a client
 * @stable_after: the time in milliseconds after which a connection resets the backoff
 *
 * Sets [property@Rws.Client:stable-after].
 *
 * Since: 0.1
 */
void
rws_client_set_stable_after (RwsClient *self,
                             guint stable_after)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->stable_after == stable_after)
    return;

  self->stable_after = stable_after;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STABLE_AFTER]);
}

/**
 * rws_client_get_handshake_timeout: (get-property handshake-timeout)
 * @self: a client
 *
 * Gets [property@Rws.Client:handshake-timeout].
 *
 * Returns: the handshake timeout in milliseconds
 *
 * Since: 0.1
 */
guint
rws_client_get_handshake_timeout (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->handshake_timeout;
}

/**
 * rws_client_set_handshake_timeout: (set-property handshake-timeout)
 * @self: a client
 * @handshake_timeout: the handshake timeout in milliseconds
 *
 * Sets [property@Rws.Client:handshake-timeout].
 *
 * Since: 0.1
 */
void
rws_client_set_handshake_timeout (RwsClient *self,
                                  guint handshake_timeout)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->handshake_timeout == handshake_timeout)
    return;

  self->handshake_timeout = handshake_timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HANDSHAKE_TIMEOUT]);
}

/**
 * rws_client_get_keepalive_interval: (get-property keepalive-interval)
 * @self: a client
 *
 * Gets [property@Rws.Client:keepalive-interval].
 *
 * Returns: the ping interval in milliseconds
 *
 * Since: 0.1
 */
guint
rws_client_get_keepalive_interval (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->keepalive_interval;
}

/**
 * rws_client_set_keepalive_interval: (set-property keepalive-interval)
 * @self: a client
 * @keepalive_interval: the ping interval in milliseconds
 *
 * Sets [property@Rws.Client:keepalive-interval].
 *
 * Since: 0.1
 */
void
rws_client_set_keepalive_interval (RwsClient *self,
                                   guint keepalive_interval)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->keepalive_interval == keepalive_interval)
    return;

  self->keepalive_interval = keepalive_interval;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_INTERVAL]);
}

/**
 * rws_client_get_pong_timeout: (get-property pong-timeout)
 * @self: a client
 *
 * Gets [property@Rws.Client:pong-timeout].
 *
 * Returns: the pong timeout in milliseconds
 *
 * Since: 0.1
 */
guint
rws_client_get_pong_timeout (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->pong_timeout;
}

/**
 * rws_client_set_pong_timeout: (set-property pong-timeout)
 * @self: a client
 * @pong_timeout: the pong timeout in milliseconds
 *
 * Sets [property@Rws.Client:pong-timeout].
 *
 * Since: 0.1
 */
void
rws_client_set_pong_timeout (RwsClient *self,
                             guint pong_timeout)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->pong_timeout == pong_timeout)
    return;

  self->pong_timeout = pong_timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PONG_TIMEOUT]);
}

/**
 * rws_client_get_idle_timeout: (get-property idle-timeout)
 * @self: a client
 *
 * Gets [property@Rws.Client:idle-timeout].
 *
 * Returns: the idle timeout in milliseconds
 *
 * Since: 0.1
 */
guint
rws_client_get_idle_timeout (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->idle_timeout;
}

/**
 * rws_client_set_idle_timeout: (set-property idle-timeout)
 * @self: a client
 * @idle_timeout: the idle timeout in milliseconds
 *
 * Sets [property@Rws.Client:idle-timeout].
 *
 * Since: 0.1
 */
void
rws_client_set_idle_timeout (RwsClient *self,
                             guint idle_timeout)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->idle_timeout == idle_timeout)
    return;

  self->idle_timeout = idle_timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

/**
 * rws_client_get_queue_limit: (get-property queue-limit)
 * @self: a client
 *
 * Gets [property@Rws.Client:queue-limit].
 *
 * Returns: the maximum number of messages in the offline queue
 *
 * Since: 0.1
 */
guint
rws_client_get_queue_limit (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->queue_limit;
}

/**
 * rws_client_set_queue_limit: (set-property queue-limit)
 * @self: a client
 * @queue_limit: the maximum number of messages in the offline queue
 *
 * Sets [property@Rws.Client:queue-limit].
 *
 * Since: 0.1
 */
void
rws_client_set_queue_limit (RwsClient *self,
                            guint queue_limit)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->queue_limit == queue_limit)
    return;

  /* Senders on other threads read the limit under the lock. */
  g_mutex_lock (&self->lock);
  self->queue_limit = queue_limit;
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUE_LIMIT]);
}

/**
 * rws_client_get_queue_overflow: (get-property queue-overflow)
 * @self: a client
 *
 * Gets [property@Rws.Client:queue-overflow].
 *
 * Returns: the queue overflow policy
 *
 * Since: 0.1
 */
RwsOverflow
rws_client_get_queue_overflow (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->queue_overflow;
}

/**
 * rws_client_set_queue_overflow: (set-property queue-overflow)
 * @self: a client
 * @queue_overflow: the queue overflow policy
 *
 * Sets [property@Rws.Client:queue-overflow].
 *
 * Since: 0.1
 */
void
rws_client_set_queue_overflow (RwsClient *self,
                               RwsOverflow queue_overflow)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->queue_overflow == queue_overflow)
    return;

  g_mutex_lock (&self->lock);
  self->queue_overflow = queue_overflow;
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUE_OVERFLOW]);
}

/**
 * rws_client_get_max_payload_size: (get-property max-payload-size)
 * @self: a client
 *
 * Gets [property@Rws.Client:max-payload-size].
 *
 * Returns: the largest incoming message in bytes
 *
 * Since: 0.1
 */
guint64
rws_client_get_max_payload_size (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->max_payload_size;
}

/**
 * rws_client_set_max_payload_size: (set-property max-payload-size)
 * @self: a client
 * @max_payload_size: the largest incoming message in bytes
 *
 * Sets [property@Rws.Client:max-payload-size].
 *
 * Since: 0.1
 */
void
rws_client_set_max_payload_size (RwsClient *self,
                                 guint64 max_payload_size)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->max_payload_size == max_payload_size)
    return;

  self->max_payload_size = max_payload_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_PAYLOAD_SIZE]);
}

/**
 * rws_client_get_watch_network: (get-property watch-network)
 * @self: a client
 *
 * Gets [property@Rws.Client:watch-network].
 *
 * Returns: whether the network monitor is followed
 *
 * Since: 0.1
 */
gboolean
rws_client_get_watch_network (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->watch_network;
}

/**
 * rws_client_set_watch_network: (set-property watch-network)
 * @self: a client
 * @watch_network: whether the network monitor is followed
 *
 * Sets [property@Rws.Client:watch-network].
 *
 * Since: 0.1
 */
void
rws_client_set_watch_network (RwsClient *self,
                              gboolean watch_network)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  watch_network = !!watch_network;
  if (self->watch_network == watch_network)
    return;

  self->watch_network = watch_network;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCH_NETWORK]);
}

/**
 * rws_client_get_fallback_urls: (get-property fallback-urls)
 * @self: a client
 *
 * Gets [property@Rws.Client:fallback-urls].
 *
 * Returns: (nullable) (transfer none) (array zero-terminated=1): the fallback URLs
 *
 * Since: 0.1
 */
const char * const *
rws_client_get_fallback_urls (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return (const char * const *) self->fallback_urls;
}

/**
 * rws_client_set_fallback_urls: (set-property fallback-urls)
 * @self: a client
 * @fallback_urls: (nullable) (array zero-terminated=1): the fallback URLs
 *
 * Sets [property@Rws.Client:fallback-urls].
 *
 * Since: 0.1
 */
void
rws_client_set_fallback_urls (RwsClient *self,
                              const char * const *fallback_urls)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (self->fallback_urls == NULL && (fallback_urls == NULL || fallback_urls[0] == NULL))
    return;
  if (self->fallback_urls != NULL && fallback_urls != NULL && g_strv_equal ((const char * const *) self->fallback_urls, fallback_urls))
    return;

  g_strfreev (self->fallback_urls);
  self->fallback_urls = fallback_urls != NULL && fallback_urls[0] != NULL ? g_strdupv ((char **) fallback_urls): NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FALLBACK_URLS]);
}

/**
 * rws_client_get_tls_ca_file: (get-property tls-ca-file)
 * @self: a client
 *
 * Gets [property@Rws.Client:tls-ca-file].
 *
 * Returns: (nullable): the extra CA file
 *
 * Since: 0.1
 */
const char *
rws_client_get_tls_ca_file (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->tls_ca_file;
}

/**
 * rws_client_set_tls_ca_file: (set-property tls-ca-file)
 * @self: a client
 * @tls_ca_file: (nullable): the extra CA file
 *
 * Sets [property@Rws.Client:tls-ca-file].
 *
 * Since: 0.1
 */
void
rws_client_set_tls_ca_file (RwsClient *self,
                            const char *tls_ca_file)
{
  g_return_if_fail (RWS_IS_CLIENT (self));

  if (g_strcmp0 (self->tls_ca_file, tls_ca_file) == 0)
    return;

  g_free (self->tls_ca_file);
  self->tls_ca_file = g_strdup (tls_ca_file);
  reload_tls_database (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_CA_FILE]);
}

/**
 * rws_client_get_state: (get-property state)
 * @self: a client
 *
 * Gets [property@Rws.Client:state].
 *
 * Returns: the connection state
 *
 * Since: 0.1
 */
RwsState
rws_client_get_state (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), 0);

  return self->state;
}

/**
 * rws_client_get_network_monitor: (get-property network-monitor)
 * @self: a client
 *
 * Gets [property@Rws.Client:network-monitor].
 *
 * Returns: (transfer none): the network monitor
 *
 * Since: 0.1
 */
GNetworkMonitor *
rws_client_get_network_monitor (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->network_monitor;
}

/**
 * rws_client_get_session: (get-property session)
 * @self: a client
 *
 * Gets [property@Rws.Client:session].
 *
 * Returns: (transfer none): the libsoup session
 *
 * Since: 0.1
 */
SoupSession *
rws_client_get_session (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return self->session;
}

/**
 * rws_client_get_current_url:
 * @self: a client
 *
 * Gets the URL of the current or last attempt: [property@Rws.Client:url]
 * or one of [property@Rws.Client:fallback-urls].
 *
 * Returns: (nullable): the URL
 *
 * Since: 0.1
 */
const char *
rws_client_get_current_url (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return rws_client_get_current_url_internal (self);
}
