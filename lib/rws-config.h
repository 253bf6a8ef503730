/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <glib-object.h>

#include "rws-client.h"

G_BEGIN_DECLS

RWS_AVAILABLE_IN_ALL
GPtrArray *rws_config_load      (const char  *path,
                                 GError     **error);
RWS_AVAILABLE_IN_ALL
GPtrArray *rws_config_load_data (const char  *data,
                                 gssize       length,
                                 const char  *source_name,
                                 GError     **error);
RWS_AVAILABLE_IN_ALL
gboolean   rws_client_set_property_from_string (RwsClient   *self,
                                                const char  *key,
                                                const char  *value,
                                                GError     **error);

G_END_DECLS
