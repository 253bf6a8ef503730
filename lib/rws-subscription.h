/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "rws-types.h"

G_BEGIN_DECLS

#define RWS_TYPE_SUBSCRIPTION (rws_subscription_get_type ())

RWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (RwsSubscription, rws_subscription, RWS, SUBSCRIPTION, GObject)

RWS_AVAILABLE_IN_ALL
const char           *rws_subscription_get_topic    (RwsSubscription *self);
RWS_AVAILABLE_IN_ALL
JsonNode             *rws_subscription_get_params   (RwsSubscription *self);
RWS_AVAILABLE_IN_ALL
RwsSubscriptionState  rws_subscription_get_state    (RwsSubscription *self);
RWS_AVAILABLE_IN_ALL
const char           *rws_subscription_get_id       (RwsSubscription *self);
RWS_AVAILABLE_IN_ALL
guint                 rws_subscription_get_attempts (RwsSubscription *self);

G_END_DECLS
