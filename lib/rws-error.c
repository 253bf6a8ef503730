/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "rws-types.h"

/**
 * rws_error_quark:
 *
 * Returns the quark of the %RWS_ERROR domain.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (rws-error-quark, rws_error)
