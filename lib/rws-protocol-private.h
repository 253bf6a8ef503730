/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "rws-protocol.h"
#include "rws-client.h"

G_BEGIN_DECLS

#define RWS_TYPE_RAW_PROTOCOL (rws_raw_protocol_get_type ())
G_DECLARE_FINAL_TYPE (RwsRawProtocol, rws_raw_protocol, RWS, RAW_PROTOCOL, RwsProtocol)

/* Called by the client; each runs the virtual function of the same name. */
void       rws_protocol_attach              (RwsProtocol *self,
                                             RwsClient   *client);
RwsClient *rws_protocol_get_client          (RwsProtocol *self);
char     **rws_protocol_dup_subprotocols    (RwsProtocol *self);
void       rws_protocol_opened              (RwsProtocol *self);
void       rws_protocol_frame_received      (RwsProtocol *self,
                                             GBytes      *payload,
                                             gboolean     binary);
void       rws_protocol_subscribe           (RwsProtocol     *self,
                                             RwsSubscription *subscription);
void       rws_protocol_unsubscribe         (RwsProtocol     *self,
                                             RwsSubscription *subscription);
GBytes    *rws_protocol_publish             (RwsProtocol  *self,
                                             const char   *topic,
                                             GBytes       *payload,
                                             gboolean     *binary,
                                             GError      **error);
void       rws_protocol_heartbeat           (RwsProtocol *self);
void       rws_protocol_reset               (RwsProtocol *self);
gboolean   rws_protocol_close_code_is_fatal (RwsProtocol *self,
                                             guint        code);

G_END_DECLS
