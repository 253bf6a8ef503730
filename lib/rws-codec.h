/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(RWS_INSIDE) && !defined(RWS_COMPILATION)
#error "Only <rws.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "rws-version.h"

G_BEGIN_DECLS

#define RWS_TYPE_CODEC (rws_codec_get_type ())

RWS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (RwsCodec, rws_codec, RWS, CODEC, GObject)

/**
 * RwsCodecClass:
 * @parent_class: the parent class
 * @encode: turns a JSON value or raw bytes into a payload and reports
 *   whether it goes in a binary frame
 * @decode: turns a payload into the text and the JSON value of a message
 *
 * The virtual functions of a codec plugin.
 *
 * Since: 0.1
 */
struct _RwsCodecClass
{
  GObjectClass parent_class;

  GBytes   *(*encode) (RwsCodec  *self,
                       JsonNode  *node,
                       GBytes    *bytes,
                       gboolean  *binary,
                       GError   **error);
  gboolean  (*decode) (RwsCodec  *self,
                       GBytes    *payload,
                       gboolean   binary,
                       char     **text,
                       JsonNode **json,
                       GError   **error);

  /*< private >*/
  gpointer padding[8];
};

RWS_AVAILABLE_IN_ALL
GBytes   *rws_codec_encode (RwsCodec  *self,
                            JsonNode  *node,
                            GBytes    *bytes,
                            gboolean  *binary,
                            GError   **error);
RWS_AVAILABLE_IN_ALL
gboolean  rws_codec_decode (RwsCodec  *self,
                            GBytes    *payload,
                            gboolean   binary,
                            char     **text,
                            JsonNode **json,
                            GError   **error);

G_END_DECLS
