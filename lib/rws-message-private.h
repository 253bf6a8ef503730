/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "rws-message.h"

G_BEGIN_DECLS

RwsMessage *rws_message_new (GBytes          *bytes,
                             gboolean         binary,
                             const char      *text,
                             const char      *topic,
                             JsonNode        *json,
                             RwsSubscription *subscription,
                             gint64           received_time,
                             guint64          sequence);

G_END_DECLS
