/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A protocol plugin for the registry tests, built once per module with
 * different macros.  TEST_PLUGIN_NAME is the name it registers.
 * TEST_TYPE_NAME is its GType name, unique across the modules so that
 * several can be loaded into one process.  TEST_PREFIX is prepended to
 * every delivered message, so a test can tell which module handled it.
 */

#include <string.h>

#include <gmodule.h>
#include <rws.h>

#if !defined(TEST_PLUGIN_NAME) || !defined(TEST_TYPE_NAME) || !defined(TEST_PREFIX)
#error "TEST_PLUGIN_NAME, TEST_TYPE_NAME and TEST_PREFIX must be defined"
#endif

static void
test_protocol_frame_received (RwsProtocol *protocol,
                              GBytes      *payload,
                              gboolean     binary)
{
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  GByteArray *prefixed = g_byte_array_sized_new (strlen (TEST_PREFIX) + size);
  g_autoptr(GBytes) delivered = NULL;

  g_byte_array_append (prefixed, (const guint8 *) TEST_PREFIX, strlen (TEST_PREFIX));
  g_byte_array_append (prefixed, (const guint8 *) data, size);
  delivered = g_byte_array_free_to_bytes (prefixed);

  rws_protocol_deliver (protocol, NULL, NULL, delivered, binary);
}

static void
test_protocol_class_init (gpointer klass,
                          gpointer class_data)
{
  RWS_PROTOCOL_CLASS (klass)->frame_received = test_protocol_frame_received;
}

static GType
test_protocol_get_type (void)
{
  static GType type = 0;

  if (g_once_init_enter (&type))
    {
      GType registered = g_type_register_static_simple (RWS_TYPE_PROTOCOL,
                                                        TEST_TYPE_NAME,
                                                        sizeof (RwsProtocolClass),
                                                        test_protocol_class_init,
                                                        sizeof (RwsProtocol),
                                                        NULL, 0);

      g_once_init_leave (&type, registered);
    }

  return type;
}

G_MODULE_EXPORT void rws_plugin_register (RwsRegistry *registry);

void
rws_plugin_register (RwsRegistry *registry)
{
  g_autoptr(GError) error = NULL;

  if (!rws_registry_register_protocol (registry, TEST_PLUGIN_NAME, test_protocol_get_type (),
                                       "Test protocol that prefixes messages with " TEST_PREFIX,
                                       &error))
    g_warning ("Failed to register the %s protocol: %s", TEST_PLUGIN_NAME, error->message);
}
