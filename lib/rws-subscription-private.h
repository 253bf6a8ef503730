/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "rws-subscription.h"
#include "rws-message.h"

G_BEGIN_DECLS

RwsSubscription *rws_subscription_new            (const char *topic,
                                                  JsonNode   *params);
void             rws_subscription_set_state      (RwsSubscription      *self,
                                                  RwsSubscriptionState  state);
void             rws_subscription_set_id         (RwsSubscription *self,
                                                  const char      *id);
void             rws_subscription_set_attempts   (RwsSubscription *self,
                                                  guint            attempts);
void             rws_subscription_emit_message   (RwsSubscription *self,
                                                  RwsMessage      *message);
void             rws_subscription_emit_error     (RwsSubscription *self,
                                                  const GError    *error);

G_END_DECLS
