/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <glib.h>

#include "rws-version.h"

G_BEGIN_DECLS

/**
 * RwsState:
 * @RWS_STATE_DISCONNECTED: not started yet
 * @RWS_STATE_CONNECTING: a connection attempt (TCP, TLS, HTTP upgrade) is running
 * @RWS_STATE_OPEN: the WebSocket is open and the protocol handshake is running
 * @RWS_STATE_READY: the protocol is ready and every subscription is restored
 * @RWS_STATE_WAITING: waiting for the backoff delay, or for the network
 *   to reach the endpoint, before the next attempt
 * @RWS_STATE_CLOSING: [method@Rws.Client.close] is waiting for the close
 *   handshake
 * @RWS_STATE_CLOSED: [method@Rws.Client.close] finished
 * @RWS_STATE_FAILED: the client gave up after a fatal error or after
 *   [property@Rws.Client:max-attempts] failed attempts in a row
 *
 * The connection state of a [class@Rws.Client].
 *
 * Since: 0.1
 */
typedef enum
{
  RWS_STATE_DISCONNECTED,
  RWS_STATE_CONNECTING,
  RWS_STATE_OPEN,
  RWS_STATE_READY,
  RWS_STATE_WAITING,
  RWS_STATE_CLOSING,
  RWS_STATE_CLOSED,
  RWS_STATE_FAILED,
} RwsState;

/**
 * RwsJitter:
 * @RWS_JITTER_NONE: use the exponential delay as it is
 * @RWS_JITTER_FULL: a random delay between 0 and the exponential delay
 * @RWS_JITTER_EQUAL: half the exponential delay plus a random share of
 *   the other half
 * @RWS_JITTER_DECORRELATED: a random delay between the initial delay and
 *   three times the previous delay, capped by the maximum
 *
 * How a [class@Rws.Client] randomizes its reconnection delays, so that
 * many clients dropped at the same moment do not return at the same moment.
 *
 * Since: 0.1
 */
typedef enum
{
  RWS_JITTER_NONE,
  RWS_JITTER_FULL,
  RWS_JITTER_EQUAL,
  RWS_JITTER_DECORRELATED,
} RwsJitter;

/**
 * RwsOverflow:
 * @RWS_OVERFLOW_REJECT: the send call fails with %RWS_ERROR_QUEUE_FULL
 * @RWS_OVERFLOW_DROP_OLDEST: the oldest queued message is dropped and
 *   counted in the statistics
 *
 * What a [class@Rws.Client] does with a message sent while its offline
 * queue contains [property@Rws.Client:queue-limit] messages.
 *
 * Since: 0.1
 */
typedef enum
{
  RWS_OVERFLOW_REJECT,
  RWS_OVERFLOW_DROP_OLDEST,
} RwsOverflow;

/**
 * RwsSubscriptionState:
 * @RWS_SUBSCRIPTION_PENDING: waiting to be sent, or sent and waiting for
 *   the server's confirmation
 * @RWS_SUBSCRIPTION_ACTIVE: sent, and confirmed where the protocol
 *   confirms subscriptions
 * @RWS_SUBSCRIPTION_FAILED: the server rejected it, or it went unconfirmed
 *   for [property@Rws.Client:subscribe-attempts] tries
 * @RWS_SUBSCRIPTION_CANCELLED: [method@Rws.Client.unsubscribe] ended it
 *
 * The state of a [class@Rws.Subscription].
 *
 * Since: 0.1
 */
typedef enum
{
  RWS_SUBSCRIPTION_PENDING,
  RWS_SUBSCRIPTION_ACTIVE,
  RWS_SUBSCRIPTION_FAILED,
  RWS_SUBSCRIPTION_CANCELLED,
} RwsSubscriptionState;

/**
 * RwsPluginKind:
 * @RWS_PLUGIN_PROTOCOL: a protocol plugin, a [class@Rws.Protocol]
 * @RWS_PLUGIN_CODEC: a codec plugin, a [class@Rws.Codec]
 *
 * What a plugin provides.
 *
 * Since: 0.1
 */
typedef enum
{
  RWS_PLUGIN_PROTOCOL,
  RWS_PLUGIN_CODEC,
} RwsPluginKind;

/**
 * RwsError:
 * @RWS_ERROR_INVALID_URL: the URL is not a valid `ws://` or `wss://` URL
 * @RWS_ERROR_HANDSHAKE_FAILED: the server responded to the WebSocket upgrade
 *   with an HTTP status other than 101; see
 *   [method@Rws.Client.get_http_status]
 * @RWS_ERROR_HANDSHAKE_TIMEOUT: TCP, TLS and the HTTP upgrade did not finish
 *   within [property@Rws.Client:handshake-timeout]
 * @RWS_ERROR_PEER_TIMEOUT: no pong arrived within
 *   [property@Rws.Client:pong-timeout], or no frame within
 *   [property@Rws.Client:idle-timeout]
 * @RWS_ERROR_CLOSED_BY_PEER: the server closed the connection
 * @RWS_ERROR_QUEUE_FULL: the offline queue is full and
 *   [property@Rws.Client:queue-overflow] is %RWS_OVERFLOW_REJECT
 * @RWS_ERROR_PAYLOAD_TOO_LARGE: a message is larger than the limit of
 *   the side that received it
 * @RWS_ERROR_DECODE_FAILED: the codec could not decode a payload
 * @RWS_ERROR_PROTOCOL_ERROR: the peer broke the protocol
 * @RWS_ERROR_PLUGIN_NOT_FOUND: no protocol or codec plugin has that name
 * @RWS_ERROR_PLUGIN_FAILED: a plugin module could not be loaded
 * @RWS_ERROR_CONFIG_INVALID: a configuration file or value is invalid
 * @RWS_ERROR_NOT_SUPPORTED: the operation is not supported by the
 *   protocol or codec in use
 * @RWS_ERROR_CONNECTION_FAILED: the connection could not be made: name
 *   resolution, TCP or TLS failed
 * @RWS_ERROR_CLOSED: the client was closed or finalized before the
 *   operation finished
 *
 * Error codes in the %RWS_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum
{
  RWS_ERROR_INVALID_URL,
  RWS_ERROR_HANDSHAKE_FAILED,
  RWS_ERROR_HANDSHAKE_TIMEOUT,
  RWS_ERROR_PEER_TIMEOUT,
  RWS_ERROR_CLOSED_BY_PEER,
  RWS_ERROR_QUEUE_FULL,
  RWS_ERROR_PAYLOAD_TOO_LARGE,
  RWS_ERROR_DECODE_FAILED,
  RWS_ERROR_PROTOCOL_ERROR,
  RWS_ERROR_PLUGIN_NOT_FOUND,
  RWS_ERROR_PLUGIN_FAILED,
  RWS_ERROR_CONFIG_INVALID,
  RWS_ERROR_NOT_SUPPORTED,
  RWS_ERROR_CONNECTION_FAILED,
  RWS_ERROR_CLOSED,
} RwsError;

/**
 * RWS_ERROR:
 *
 * The error domain of Rws. Codes are [enum@Rws.Error] values.
 *
 * Since: 0.1
 */
#define RWS_ERROR (rws_error_quark ())

RWS_AVAILABLE_IN_ALL
GQuark rws_error_quark (void);

G_END_DECLS
