/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* JSON pointers (RFC 6901) and JSON output that keeps numbers exact, for
 * the JSON-based protocol plugins.  Both json-template and jsonrpc compile
 * this file into their modules.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean  rws_json_pointer_is_valid      (const char  *pointer);
JsonNode *rws_json_pointer_get           (JsonNode    *root,
                                          const char  *pointer);
gboolean  rws_json_pointer_find_span     (const char  *text,
                                          gsize        length,
                                          const char  *pointer,
                                          gsize       *start,
                                          gsize       *end);
char     *rws_json_node_dup_scalar_text  (JsonNode    *node);
char     *rws_json_escape_string         (const char  *text,
                                          gssize       length);
char     *rws_json_node_to_string        (JsonNode    *node);

G_END_DECLS
