/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <gio/gio.h>

#include "rws-codec.h"
#include "rws-protocol.h"
#include "rws-types.h"

G_BEGIN_DECLS

#define RWS_TYPE_PLUGIN_INFO (rws_plugin_info_get_type ())

RWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (RwsPluginInfo, rws_plugin_info, RWS, PLUGIN_INFO, GObject)

RWS_AVAILABLE_IN_ALL
const char    *rws_plugin_info_get_name        (RwsPluginInfo *self);
RWS_AVAILABLE_IN_ALL
RwsPluginKind  rws_plugin_info_get_kind        (RwsPluginInfo *self);
RWS_AVAILABLE_IN_ALL
const char    *rws_plugin_info_get_description (RwsPluginInfo *self);
RWS_AVAILABLE_IN_ALL
const char    *rws_plugin_info_get_version     (RwsPluginInfo *self);
RWS_AVAILABLE_IN_ALL
const char    *rws_plugin_info_get_file        (RwsPluginInfo *self);
RWS_AVAILABLE_IN_ALL
gboolean       rws_plugin_info_is_builtin      (RwsPluginInfo *self);
RWS_AVAILABLE_IN_ALL
gboolean       rws_plugin_info_is_loaded       (RwsPluginInfo *self);

#define RWS_TYPE_REGISTRY (rws_registry_get_type ())

RWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (RwsRegistry, rws_registry, RWS, REGISTRY, GObject)

RWS_AVAILABLE_IN_ALL
RwsRegistry  *rws_registry_get_default        (void);
RWS_AVAILABLE_IN_ALL
RwsRegistry  *rws_registry_new                (void);
RWS_AVAILABLE_IN_ALL
void          rws_registry_add_search_path    (RwsRegistry *self,
                                               const char  *path);
RWS_AVAILABLE_IN_ALL
char        **rws_registry_get_search_paths   (RwsRegistry *self);
RWS_AVAILABLE_IN_ALL
GListModel   *rws_registry_list_plugins       (RwsRegistry *self);
RWS_AVAILABLE_IN_ALL
RwsPluginInfo *rws_registry_find_plugin       (RwsRegistry    *self,
                                               RwsPluginKind   kind,
                                               const char     *name,
                                               GError        **error);
RWS_AVAILABLE_IN_ALL
RwsProtocol  *rws_registry_create_protocol    (RwsRegistry  *self,
                                               const char   *name,
                                               GError      **error);
RWS_AVAILABLE_IN_ALL
RwsCodec     *rws_registry_create_codec       (RwsRegistry  *self,
                                               const char   *name,
                                               GError      **error);
RWS_AVAILABLE_IN_ALL
gboolean      rws_registry_register_protocol  (RwsRegistry  *self,
                                               const char   *name,
                                               GType         type,
                                               const char   *description,
                                               GError      **error);
RWS_AVAILABLE_IN_ALL
gboolean      rws_registry_register_codec     (RwsRegistry  *self,
                                               const char   *name,
                                               GType         type,
                                               const char   *description,
                                               GError      **error);

/**
 * RWS_PLUGIN_REGISTER_SYMBOL:
 *
 * The name of the function a plugin module exports. Its type is
 * `void rws_plugin_register (RwsRegistry *registry)`, and it registers the
 * module's types with [method@Rws.Registry.register_protocol] or
 * [method@Rws.Registry.register_codec].
 *
 * Since: 0.1
 */
#define RWS_PLUGIN_REGISTER_SYMBOL "rws_plugin_register"

G_END_DECLS
