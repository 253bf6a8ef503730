/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "rws-subscription.h"

G_BEGIN_DECLS

#define RWS_TYPE_MESSAGE (rws_message_get_type ())

RWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (RwsMessage, rws_message, RWS, MESSAGE, GObject)

RWS_AVAILABLE_IN_ALL
GBytes     *rws_message_get_bytes         (RwsMessage *self);
RWS_AVAILABLE_IN_ALL
gboolean    rws_message_is_binary         (RwsMessage *self);
RWS_AVAILABLE_IN_ALL
const char *rws_message_get_text          (RwsMessage *self);
RWS_AVAILABLE_IN_ALL
JsonNode   *rws_message_get_json          (RwsMessage *self);
RWS_AVAILABLE_IN_ALL
const char *rws_message_get_topic         (RwsMessage *self);
RWS_AVAILABLE_IN_ALL
RwsSubscription *rws_message_get_subscription (RwsMessage *self);
RWS_AVAILABLE_IN_ALL
gint64      rws_message_get_received_time (RwsMessage *self);
RWS_AVAILABLE_IN_ALL
guint64     rws_message_get_sequence      (RwsMessage *self);

G_END_DECLS
