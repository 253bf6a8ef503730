/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rws-i18n.h"
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

/* Binds the library's gettext domain once, so its messages are translated
 * in every application, not only in the rws tool. */
void
rws_i18n_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}
