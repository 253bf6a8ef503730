/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "rws-codec.h"

G_BEGIN_DECLS

#define RWS_TYPE_TEXT_CODEC (rws_text_codec_get_type ())
G_DECLARE_FINAL_TYPE (RwsTextCodec, rws_text_codec, RWS, TEXT_CODEC, RwsCodec)

#define RWS_TYPE_BINARY_CODEC (rws_binary_codec_get_type ())
G_DECLARE_FINAL_TYPE (RwsBinaryCodec, rws_binary_codec, RWS, BINARY_CODEC, RwsCodec)

#define RWS_TYPE_JSON_CODEC (rws_json_codec_get_type ())
G_DECLARE_FINAL_TYPE (RwsJsonCodec, rws_json_codec, RWS, JSON_CODEC, RwsCodec)

G_END_DECLS
