/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#define RWS_INSIDE

#include "rws-version.h"
#include "rws-types.h"
#include "rws-enum-types.h"
#include "rws-codec.h"
#include "rws-subscription.h"
#include "rws-protocol.h"
#include "rws-message.h"
#include "rws-client.h"
#include "rws-registry.h"
#include "rws-config.h"

#undef RWS_INSIDE
