/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* RwsRegistry tests.  They cover the built-in plugins, the search order of
 * plugin directories, invalid names and plugins that are not found.  They
 * also cover missing and broken modules, types registered at run time, lazy
 * loading, and a test protocol module that a client uses by name.
 *
 * The modules come from tests/plugins in the build tree.  Tests that need a
 * directory layout of their own write .plugin files into a temporary
 * directory and link the built modules into it. */

#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include <glib/gstdio.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

/* The build directory of tests/plugins. */
static char *plugins_dir;

/* A protocol and a codec defined by the test program, as an application
 * written in Python or JavaScript defines them. */

#define TEST_TYPE_RUNTIME_PROTOCOL (test_runtime_protocol_get_type ())
G_DECLARE_FINAL_TYPE (TestRuntimeProtocol, test_runtime_protocol, TEST, RUNTIME_PROTOCOL, RwsProtocol)

struct _TestRuntimeProtocol
{
  RwsProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (TestRuntimeProtocol, test_runtime_protocol, RWS_TYPE_PROTOCOL)

static void
test_runtime_protocol_class_init (TestRuntimeProtocolClass *klass)
{
}

static void
test_runtime_protocol_init (TestRuntimeProtocol *self)
{
}

#define TEST_TYPE_RUNTIME_CODEC (test_runtime_codec_get_type ())
G_DECLARE_FINAL_TYPE (TestRuntimeCodec, test_runtime_codec, TEST, RUNTIME_CODEC, RwsCodec)

struct _TestRuntimeCodec
{
  RwsCodec parent_instance;
};

G_DEFINE_FINAL_TYPE (TestRuntimeCodec, test_runtime_codec, RWS_TYPE_CODEC)

static void
test_runtime_codec_class_init (TestRuntimeCodecClass *klass)
{
}

static void
test_runtime_codec_init (TestRuntimeCodec *self)
{
}

typedef struct
{
  RwsRegistry *registry;
  char *directory;  /* a temporary directory, removed by the tear-down */
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  g_remove (path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_unsetenv ("RWS_PLUGIN_PATH");

  fixture->registry = rws_registry_new ();
  fixture->directory = g_dir_make_tmp ("rws-test-registry-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_unsetenv ("RWS_PLUGIN_PATH");

  g_assert_finalize_object (g_steal_pointer (&fixture->registry));
  remove_tree (fixture->directory);
  g_clear_pointer (&fixture->directory, g_free);
}

/* Creates @parent/@subdir (and its parents) and returns its path. */
static char *
make_directory (const char *parent,
                const char *subdir)
{
  char *path = g_build_filename (parent, subdir, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);

  return path;
}

/* Writes @directory/@file_name as a .plugin key file. */
static void
write_plugin_file (const char *directory,
                   const char *file_name,
                   const char *name,
                   const char *kind,
                   const char *module)
{
  g_autofree char *path = g_build_filename (directory, file_name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("[Plugin]\n"
                              "Module=%s\n"
                              "Name=%s\n"
                              "Kind=%s\n"
                              "Description=%s from %s\n"
                              "Version=0.1.0\n",
                              module, name, kind, name, directory);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Links the built module @module into @directory, beside a .plugin file. */
static void
link_module (const char *directory,
             const char *module)
{
  g_autofree char *file_name = g_strconcat (module, "." G_MODULE_SUFFIX, NULL);
  g_autofree char *target = g_build_filename (plugins_dir, file_name, NULL);
  g_autofree char *link = g_build_filename (directory, file_name, NULL);
  g_autoptr(GFile) link_file = g_file_new_for_path (link);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_test (target, G_FILE_TEST_IS_REGULAR));
  g_file_make_symbolic_link (link_file, target, NULL, &error);
  g_assert_no_error (error);
}

/* Writes @directory/@name.plugin for the protocol @name and links @module
 * beside it. */
static void
install_protocol (const char *directory,
                  const char *name,
                  const char *module)
{
  g_autofree char *file_name = g_strconcat (name, ".plugin", NULL);

  write_plugin_file (directory, file_name, name, "protocol", module);
  link_module (directory, module);
}

/* Returns the listed plugin of @kind named @name, or NULL. */
static RwsPluginInfo *
find_listed (RwsRegistry   *registry,
             RwsPluginKind  kind,
             const char    *name)
{
  GListModel *plugins = rws_registry_list_plugins (registry);
  RwsPluginInfo *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (plugins); i++)
    {
      g_autoptr(RwsPluginInfo) info = g_list_model_get_item (plugins, i);

      if (rws_plugin_info_get_kind (info) == kind &&
          g_str_equal (rws_plugin_info_get_name (info), name))
        {
          g_assert_null (found);
          found = info;
        }
    }

  return found;
}

/* Counts the listed plugins named @name, of either kind. */
static guint
count_listed (RwsRegistry *registry,
              const char  *name)
{
  GListModel *plugins = rws_registry_list_plugins (registry);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (plugins); i++)
    {
      g_autoptr(RwsPluginInfo) info = g_list_model_get_item (plugins, i);

      if (g_str_equal (rws_plugin_info_get_name (info), name))
        count++;
    }

  return count;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

static void
assert_not_contains (const char *text,
                     const char *part)
{
  if (strstr (text, part) != NULL)
    g_error ("“%s” contains “%s”", text, part);
}

typedef struct
{
  const char *name;
  RwsPluginKind kind;
} BuiltinCase;

static const BuiltinCase builtin_cases[] = {
  { "raw", RWS_PLUGIN_PROTOCOL },
  { "text", RWS_PLUGIN_CODEC },
  { "binary", RWS_PLUGIN_CODEC },
  { "json", RWS_PLUGIN_CODEC },
};

static void
assert_builtins_listed (RwsRegistry *registry)
{
  for (gsize i = 0; i < G_N_ELEMENTS (builtin_cases); i++)
    {
      const BuiltinCase *c = &builtin_cases[i];
      RwsPluginInfo *info = find_listed (registry, c->kind, c->name);

      g_test_message ("built-in %s", c->name);
      g_assert_nonnull (info);
      g_assert_true (rws_plugin_info_is_builtin (info));
      g_assert_true (rws_plugin_info_is_loaded (info));
      g_assert_null (rws_plugin_info_get_file (info));
      g_assert_nonnull (rws_plugin_info_get_description (info));
      g_assert_cmpuint (strlen (rws_plugin_info_get_description (info)), >, 0);
      g_assert_cmpstr (rws_plugin_info_get_version (info), ==, PACKAGE_VERSION);
    }
}

static void
test_builtins_listed (Fixture       *fixture,
                      gconstpointer  data)
{
  assert_builtins_listed (fixture->registry);
}

/* The default registry also has the modules of tests/plugins on its search
 * path (see main()), which must not hide the built-ins. */
static void
test_builtins_default_registry (Fixture       *fixture,
                                gconstpointer  data)
{
  RwsRegistry *registry = rws_registry_get_default ();

  g_assert_true (registry == rws_registry_get_default ());
  assert_builtins_listed (registry);
}

static void
test_builtins_create (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(RwsProtocol) raw = NULL;
  g_autoptr(GError) error = NULL;

  raw = rws_registry_create_protocol (fixture->registry, "raw", &error);
  g_assert_no_error (error);
  g_assert_true (RWS_IS_PROTOCOL (raw));

  for (gsize i = 0; i < G_N_ELEMENTS (builtin_cases); i++)
    {
      g_autoptr(RwsCodec) codec = NULL;

      if (builtin_cases[i].kind != RWS_PLUGIN_CODEC)
        continue;

      codec = rws_registry_create_codec (fixture->registry, builtin_cases[i].name, &error);
      g_assert_no_error (error);
      g_assert_true (RWS_IS_CODEC (codec));
    }
}

/* A name belongs to one kind: "json" is no protocol and "raw" no codec. */
static void
test_builtins_wrong_kind (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(RwsCodec) codec = NULL;
  g_autoptr(GError) protocol_error = NULL;
  g_autoptr(GError) codec_error = NULL;

  protocol = rws_registry_create_protocol (fixture->registry, "json", &protocol_error);
  g_assert_null (protocol);
  g_assert_error (protocol_error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);

  codec = rws_registry_create_codec (fixture->registry, "raw", &codec_error);
  g_assert_null (codec);
  g_assert_error (codec_error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);
}

/* order-first and order-second both register the protocol "order", each
 * with its own GType, so the created object shows which module won. */
static const char *
created_order_type (RwsRegistry *registry)
{
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(GError) error = NULL;

  protocol = rws_registry_create_protocol (registry, "order", &error);
  g_assert_no_error (error);

  return G_OBJECT_TYPE_NAME (protocol);
}

static void
test_search_order_application_paths (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autofree char *first = make_directory (fixture->directory, "first");
  g_autofree char *second = make_directory (fixture->directory, "second");
  g_autofree char *first_file = g_build_filename (first, "order.plugin", NULL);
  g_autofree char *second_file = g_build_filename (second, "order.plugin", NULL);
  g_autoptr(RwsRegistry) reversed = rws_registry_new ();
  RwsPluginInfo *info;

  install_protocol (first, "order", "order-first");
  install_protocol (second, "order", "order-second");

  rws_registry_add_search_path (fixture->registry, first);
  rws_registry_add_search_path (fixture->registry, second);
  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "order");
  g_assert_nonnull (info);
  g_assert_cmpstr (rws_plugin_info_get_file (info), ==, first_file);
  g_assert_cmpuint (count_listed (fixture->registry, "order"), ==, 1);
  g_assert_cmpstr (created_order_type (fixture->registry), ==, "TestOrderFirstProtocol");

  rws_registry_add_search_path (reversed, second);
  rws_registry_add_search_path (reversed, first);
  info = find_listed (reversed, RWS_PLUGIN_PROTOCOL, "order");
  g_assert_nonnull (info);
  g_assert_cmpstr (rws_plugin_info_get_file (info), ==, second_file);
  g_assert_cmpstr (created_order_type (reversed), ==, "TestOrderSecondProtocol");

  g_assert_finalize_object (g_steal_pointer (&reversed));
}

static void
test_search_order_environment (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *application = make_directory (fixture->directory, "application");
  g_autofree char *environment = make_directory (fixture->directory, "environment");
  g_autoptr(RwsRegistry) environment_only = NULL;
  g_auto(GStrv) paths = NULL;

  install_protocol (application, "order", "order-first");
  install_protocol (environment, "order", "order-second");

  /* Set before the registries are created.  The search paths are read from
   * the environment on every call. */
  g_setenv ("RWS_PLUGIN_PATH", environment, TRUE);

  rws_registry_add_search_path (fixture->registry, application);
  paths = rws_registry_get_search_paths (fixture->registry);
  g_assert_cmpuint (g_strv_length (paths), ==, 3);
  g_assert_cmpstr (paths[0], ==, application);
  g_assert_cmpstr (paths[1], ==, environment);
  g_assert_cmpstr (paths[2], ==, RWS_PLUGIN_DIR);
  g_assert_cmpstr (created_order_type (fixture->registry), ==, "TestOrderFirstProtocol");

  environment_only = rws_registry_new ();
  g_assert_cmpstr (created_order_type (environment_only), ==, "TestOrderSecondProtocol");

  g_assert_finalize_object (g_steal_pointer (&environment_only));
}

/* Empty and relative entries of RWS_PLUGIN_PATH would name the current
 * directory or depend on it, so they are skipped. */
static void
test_search_order_environment_entries (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autofree char *environment = make_directory (fixture->directory, "environment");
  g_autofree char *value = g_strdup_printf (":relative/plugins::.:%s:", environment);
  g_auto(GStrv) paths = NULL;

  g_setenv ("RWS_PLUGIN_PATH", value, TRUE);

  paths = rws_registry_get_search_paths (fixture->registry);
  g_assert_cmpuint (g_strv_length (paths), ==, 2);
  g_assert_cmpstr (paths[0], ==, environment);
  g_assert_cmpstr (paths[1], ==, RWS_PLUGIN_DIR);
}

/* Each search directory is scanned with its immediate subdirectories, and
 * no deeper. */
static void
test_search_order_subdirectories (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *shallow = make_directory (fixture->directory, "shallow");
  g_autofree char *shallow_sub = make_directory (shallow, "order-plugin");
  g_autofree char *deep = make_directory (fixture->directory, "deep");
  g_autofree char *deep_sub = make_directory (deep, "one/two");
  g_autofree char *expected_file = g_build_filename (shallow_sub, "order.plugin", NULL);
  g_autoptr(RwsRegistry) deep_registry = rws_registry_new ();
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(GError) error = NULL;
  RwsPluginInfo *info;

  install_protocol (shallow_sub, "order", "order-first");
  install_protocol (deep_sub, "order", "order-second");

  rws_registry_add_search_path (fixture->registry, shallow);
  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "order");
  g_assert_nonnull (info);
  g_assert_cmpstr (rws_plugin_info_get_file (info), ==, expected_file);
  g_assert_cmpstr (created_order_type (fixture->registry), ==, "TestOrderFirstProtocol");

  rws_registry_add_search_path (deep_registry, deep);
  protocol = rws_registry_create_protocol (deep_registry, "order", &error);
  g_assert_null (protocol);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);

  g_assert_finalize_object (g_steal_pointer (&deep_registry));
}

#define SAME_DIRECTORY_FILES 16

/* Several .plugin files in one directory declare the same name: the
 * registry reads a directory in sorted order, so the first file name in
 * that order wins, whatever order the file system lists them in. */
static void
test_search_order_same_directory (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *expected_file = g_build_filename (fixture->directory, "order-00.plugin", NULL);
  RwsPluginInfo *info;

  /* Written last first, so creation order does not match sorted order. */
  for (int i = SAME_DIRECTORY_FILES - 1; i >= 0; i--)
    {
      g_autofree char *file_name = g_strdup_printf ("order-%02d.plugin", i);

      write_plugin_file (fixture->directory, file_name, "order", "protocol", "order-first");
    }

  rws_registry_add_search_path (fixture->registry, fixture->directory);
  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "order");
  g_assert_nonnull (info);

  /* Reported without aborting, so the other tests still run. */
  if (g_strcmp0 (rws_plugin_info_get_file (info), expected_file) != 0)
    g_test_fail_printf ("Of %d .plugin files that declare “order” in one directory, %s won, expected %s",
                        SAME_DIRECTORY_FILES, rws_plugin_info_get_file (info), expected_file);
}

static const char * const bad_names[] = {
  "../evil",
  "a/b",
  "",
  ".hidden",
  "/tmp/evil",
  "..",
  "evil\\name",
  "evil name",
};

/* An invalid name fails before any directory is searched: the message is
 * about the name, and lists no directory.  "../evil" would find
 * DIRECTORY/evil.plugin if the name were joined to the search path. */
static void
test_bad_names_rejected (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *search = make_directory (fixture->directory, "plugins");

  install_protocol (fixture->directory, "evil", "test-prefix");
  rws_registry_add_search_path (fixture->registry, search);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_autofree char *quoted = g_strdup_printf ("“%s”", bad_names[i]);
      g_autoptr(RwsProtocol) protocol = NULL;
      g_autoptr(RwsCodec) codec = NULL;
      g_autoptr(GError) protocol_error = NULL;
      g_autoptr(GError) codec_error = NULL;

      g_test_message ("name %s", quoted);

      protocol = rws_registry_create_protocol (fixture->registry, bad_names[i], &protocol_error);
      g_assert_null (protocol);
      g_assert_error (protocol_error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);
      assert_contains (protocol_error->message, quoted);
      assert_contains (protocol_error->message, "never a path");
      assert_not_contains (protocol_error->message, search);

      codec = rws_registry_create_codec (fixture->registry, bad_names[i], &codec_error);
      g_assert_null (codec);
      g_assert_error (codec_error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);
      assert_contains (codec_error->message, quoted);
      assert_not_contains (codec_error->message, search);
    }

  g_assert_null (find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "evil"));
}

typedef struct
{
  const char *name;
  const char *module;
} PluginFileCase;

/* A .plugin file whose Name or Module is a path is ignored with a warning,
 * so a Module of "../x" cannot load a file outside its directory. */
static const PluginFileCase bad_plugin_file_cases[] = {
  { "test-prefix", "../test-prefix" },
  { "../test-prefix", "test-prefix" },
  { "a/b", "test-prefix" },
  { "test-prefix", "/tmp/test-prefix" },
  { ".hidden", "test-prefix" },
};

static void
test_bad_names_in_plugin_file (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *search = make_directory (fixture->directory, "plugins");
  g_autofree char *plugin_file = g_build_filename (search, "bad.plugin", NULL);
  g_autofree char *expected_warning = g_strdup_printf ("Ignoring the plugin file %s: *", plugin_file);

  link_module (fixture->directory, "test-prefix");
  link_module (search, "test-prefix");

  for (gsize i = 0; i < G_N_ELEMENTS (bad_plugin_file_cases); i++)
    {
      const PluginFileCase *c = &bad_plugin_file_cases[i];
      g_autoptr(RwsRegistry) registry = rws_registry_new ();
      g_autoptr(RwsProtocol) protocol = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("Name=%s Module=%s", c->name, c->module);
      write_plugin_file (search, "bad.plugin", c->name, "protocol", c->module);
      rws_registry_add_search_path (registry, search);

      g_test_expect_message ("Rws", G_LOG_LEVEL_WARNING, expected_warning);
      rws_registry_list_plugins (registry);
      g_test_assert_expected_messages ();

      g_assert_cmpuint (count_listed (registry, c->name), ==, 0);
      protocol = rws_registry_create_protocol (registry, "test-prefix", &error);
      g_assert_null (protocol);
      g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);

      g_assert_finalize_object (g_steal_pointer (&registry));
    }
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *application = make_directory (fixture->directory, "application");
  g_autofree char *environment = make_directory (fixture->directory, "environment");
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(RwsCodec) codec = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) codec_error = NULL;
  g_auto(GStrv) paths = NULL;

  g_setenv ("RWS_PLUGIN_PATH", environment, TRUE);
  rws_registry_add_search_path (fixture->registry, application);

  protocol = rws_registry_create_protocol (fixture->registry, "no-such-protocol", &error);
  g_assert_null (protocol);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);
  assert_contains (error->message, "“no-such-protocol”");
  assert_contains (error->message, "protocol");
  assert_contains (error->message, "RWS_PLUGIN_PATH");

  paths = rws_registry_get_search_paths (fixture->registry);
  g_assert_cmpuint (g_strv_length (paths), ==, 3);
  for (guint i = 0; paths[i] != NULL; i++)
    assert_contains (error->message, paths[i]);

  codec = rws_registry_create_codec (fixture->registry, "no-such-codec", &codec_error);
  g_assert_null (codec);
  g_assert_error (codec_error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);
  assert_contains (codec_error->message, "“no-such-codec”");
  assert_contains (codec_error->message, "codec");
}

/* test-missing.plugin names the module test-missing, which is never built. */
static void
test_module_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *module_path = g_build_filename (plugins_dir, "test-missing." G_MODULE_SUFFIX, NULL);
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(RwsProtocol) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  RwsPluginInfo *info;

  g_assert_false (g_file_test (module_path, G_FILE_TEST_EXISTS));
  rws_registry_add_search_path (fixture->registry, plugins_dir);

  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "test-missing");
  g_assert_nonnull (info);

  protocol = rws_registry_create_protocol (fixture->registry, "test-missing", &error);
  g_assert_null (protocol);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
  assert_contains (error->message, module_path);
  assert_contains (error->message, "“test-missing”");
  g_assert_false (rws_plugin_info_is_loaded (info));

  /* A second attempt fails the same way instead of using a stale state. */
  again = rws_registry_create_protocol (fixture->registry, "test-missing", &again_error);
  g_assert_null (again);
  g_assert_error (again_error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
}

static void
test_module_no_register_function (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *module_path = g_build_filename (plugins_dir, "test-no-register." G_MODULE_SUFFIX, NULL);
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(GError) error = NULL;
  RwsPluginInfo *info;

  g_assert_true (g_file_test (module_path, G_FILE_TEST_IS_REGULAR));
  rws_registry_add_search_path (fixture->registry, plugins_dir);

  protocol = rws_registry_create_protocol (fixture->registry, "test-no-register", &error);
  g_assert_null (protocol);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
  assert_contains (error->message, module_path);
  assert_contains (error->message, RWS_PLUGIN_REGISTER_SYMBOL);

  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "test-no-register");
  g_assert_nonnull (info);
  g_assert_false (rws_plugin_info_is_loaded (info));
}

static void
test_module_registers_nothing (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *module_path = g_build_filename (plugins_dir, "test-registers-nothing." G_MODULE_SUFFIX, NULL);
  g_autoptr(RwsCodec) codec = NULL;
  g_autoptr(RwsCodec) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  RwsPluginInfo *info;

  g_assert_true (g_file_test (module_path, G_FILE_TEST_IS_REGULAR));
  rws_registry_add_search_path (fixture->registry, plugins_dir);

  codec = rws_registry_create_codec (fixture->registry, "test-registers-nothing", &error);
  g_assert_null (codec);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
  assert_contains (error->message, module_path);
  assert_contains (error->message, "“test-registers-nothing”");

  info = find_listed (fixture->registry, RWS_PLUGIN_CODEC, "test-registers-nothing");
  g_assert_nonnull (info);
  g_assert_false (rws_plugin_info_is_loaded (info));

  /* The module is now resident, and a second attempt still reports it. */
  again = rws_registry_create_codec (fixture->registry, "test-registers-nothing", &again_error);
  g_assert_null (again);
  g_assert_error (again_error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
}

static void
test_register_runtime_type (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(RwsCodec) codec = NULL;
  g_autoptr(GError) error = NULL;
  RwsPluginInfo *info;

  g_assert_true (rws_registry_register_protocol (fixture->registry, "runtime-protocol",
                                                 TEST_TYPE_RUNTIME_PROTOCOL,
                                                 "A protocol defined by the program", &error));
  g_assert_no_error (error);
  g_assert_true (rws_registry_register_codec (fixture->registry, "runtime-codec",
                                              TEST_TYPE_RUNTIME_CODEC, NULL, &error));
  g_assert_no_error (error);

  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "runtime-protocol");
  g_assert_nonnull (info);
  g_assert_cmpstr (rws_plugin_info_get_description (info), ==, "A protocol defined by the program");
  g_assert_null (rws_plugin_info_get_file (info));
  g_assert_false (rws_plugin_info_is_builtin (info));
  g_assert_true (rws_plugin_info_is_loaded (info));

  protocol = rws_registry_create_protocol (fixture->registry, "runtime-protocol", &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (protocol) == TEST_TYPE_RUNTIME_PROTOCOL);

  codec = rws_registry_create_codec (fixture->registry, "runtime-codec", &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (codec) == TEST_TYPE_RUNTIME_CODEC);

  /* Registered in this registry only. */
  g_assert_null (find_listed (rws_registry_get_default (), RWS_PLUGIN_PROTOCOL, "runtime-protocol"));
}

static void
test_register_duplicate_name (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) builtin_error = NULL;
  g_autoptr(GError) codec_error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RwsProtocol) raw = NULL;
  RwsPluginInfo *info;

  g_assert_false (rws_registry_register_protocol (fixture->registry, "raw",
                                                  TEST_TYPE_RUNTIME_PROTOCOL, NULL, &builtin_error));
  g_assert_error (builtin_error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
  assert_contains (builtin_error->message, "“raw”");

  g_assert_false (rws_registry_register_codec (fixture->registry, "json",
                                               TEST_TYPE_RUNTIME_CODEC, NULL, &codec_error));
  g_assert_error (codec_error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);

  /* The built-in keeps its name. */
  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "raw");
  g_assert_nonnull (info);
  g_assert_true (rws_plugin_info_is_builtin (info));
  raw = rws_registry_create_protocol (fixture->registry, "raw", &error);
  g_assert_no_error (error);
  g_assert_false (G_OBJECT_TYPE (raw) == TEST_TYPE_RUNTIME_PROTOCOL);

  g_assert_true (rws_registry_register_protocol (fixture->registry, "mine",
                                                 TEST_TYPE_RUNTIME_PROTOCOL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (rws_registry_register_protocol (fixture->registry, "mine",
                                                  TEST_TYPE_RUNTIME_PROTOCOL, NULL, &again_error));
  g_assert_error (again_error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
  g_assert_cmpuint (count_listed (fixture->registry, "mine"), ==, 1);
}

/* A name that a .plugin file on the search path declares is taken as well:
 * registering a type under it must not replace the module silently. */
static void
test_register_name_of_plugin_file (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *plugin_file = g_build_filename (plugins_dir, "test-prefix.plugin", NULL);
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(GError) error = NULL;
  RwsPluginInfo *info;
  gboolean registered;

  rws_registry_add_search_path (fixture->registry, plugins_dir);
  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "test-prefix");
  g_assert_nonnull (info);
  g_assert_cmpstr (rws_plugin_info_get_file (info), ==, plugin_file);

  registered = rws_registry_register_protocol (fixture->registry, "test-prefix",
                                               TEST_TYPE_RUNTIME_PROTOCOL, NULL, &error);
  if (registered)
    {
      /* Reported without aborting, so the other tests still run. */
      protocol = rws_registry_create_protocol (fixture->registry, "test-prefix", NULL);
      g_test_fail_printf ("Registering the protocol “test-prefix” succeeded although %s declares it; "
                          "the registry now creates %s for it and still lists that file",
                          rws_plugin_info_get_file (info),
                          protocol != NULL ? G_OBJECT_TYPE_NAME (protocol) : "nothing");
      return;
    }
  g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);

  protocol = rws_registry_create_protocol (fixture->registry, "test-prefix", NULL);
  g_assert_nonnull (protocol);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (protocol), ==, "TestPrefixProtocol");
}

typedef struct
{
  const char *name;
  RwsPluginKind kind;
  GType (*get_type) (void);
} WrongTypeCase;

static GType
get_object_type (void)
{
  return G_TYPE_OBJECT;
}

static const WrongTypeCase wrong_type_cases[] = {
  { "plain-object", RWS_PLUGIN_PROTOCOL, get_object_type },
  { "abstract-protocol", RWS_PLUGIN_PROTOCOL, rws_protocol_get_type },
  { "codec-as-protocol", RWS_PLUGIN_PROTOCOL, test_runtime_codec_get_type },
  { "plain-object", RWS_PLUGIN_CODEC, get_object_type },
  { "abstract-codec", RWS_PLUGIN_CODEC, rws_codec_get_type },
  { "protocol-as-codec", RWS_PLUGIN_CODEC, test_runtime_protocol_get_type },
};

static void
test_register_wrong_type (Fixture       *fixture,
                          gconstpointer  data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (wrong_type_cases); i++)
    {
      const WrongTypeCase *c = &wrong_type_cases[i];
      g_autoptr(GError) error = NULL;
      gboolean registered;

      g_test_message ("%s as a %s", c->name, c->kind == RWS_PLUGIN_PROTOCOL ? "protocol" : "codec");

      if (c->kind == RWS_PLUGIN_PROTOCOL)
        registered = rws_registry_register_protocol (fixture->registry, c->name, c->get_type (), NULL, &error);
      else
        registered = rws_registry_register_codec (fixture->registry, c->name, c->get_type (), NULL, &error);

      g_assert_false (registered);
      g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED);
      assert_contains (error->message, g_type_name (c->get_type ()));
      g_assert_cmpuint (count_listed (fixture->registry, c->name), ==, 0);
    }
}

static void
test_register_bad_name (Fixture       *fixture,
                        gconstpointer  data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("name “%s”", bad_names[i]);
      g_assert_false (rws_registry_register_protocol (fixture->registry, bad_names[i],
                                                      TEST_TYPE_RUNTIME_PROTOCOL, NULL, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == RWS_ERROR);
      g_assert_cmpuint (count_listed (fixture->registry, bad_names[i]), ==, 0);
    }
}

/* Tells whether the dynamic loader has @path open in this process, without
 * loading it. */
static gboolean
module_is_open (const char *path)
{
  void *handle = dlopen (path, RTLD_LAZY | RTLD_NOLOAD);

  if (handle == NULL)
    return FALSE;

  dlclose (handle);
  return TRUE;
}

/* test-lazy is created by this test only, so its module is open in the
 * process only once this test creates it. */
static void
test_lazy_loading (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *module_path = g_build_filename (plugins_dir, "test-lazy." G_MODULE_SUFFIX, NULL);
  g_autoptr(RwsProtocol) protocol = NULL;
  g_autoptr(GError) error = NULL;
  RwsPluginInfo *info;

  rws_registry_add_search_path (fixture->registry, plugins_dir);

  info = find_listed (fixture->registry, RWS_PLUGIN_PROTOCOL, "test-lazy");
  g_assert_nonnull (info);
  g_assert_cmpstr (rws_plugin_info_get_description (info), ==,
                   "Test protocol that only the lazy-loading test creates");
  g_assert_false (rws_plugin_info_is_builtin (info));
  g_assert_false (rws_plugin_info_is_loaded (info));
  g_assert_false (module_is_open (module_path));

  protocol = rws_registry_create_protocol (fixture->registry, "test-lazy", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (protocol), ==, "TestLazyProtocol");
  g_assert_true (rws_plugin_info_is_loaded (info));
  g_assert_true (module_is_open (module_path));

  /* The .plugin file's description is kept over the module's own. */
  g_assert_cmpstr (rws_plugin_info_get_description (info), ==,
                   "Test protocol that only the lazy-loading test creates");
}

static void
test_current_directory_not_searched (Fixture       *fixture,
                                     gconstpointer  data)
{
  static const char * const environment_values[] = { NULL, "", ".", ":", "./" };
  g_autofree char *saved_directory = g_get_current_dir ();
  g_autofree char *subdir = make_directory (fixture->directory, "plugins");
  g_autoptr(RwsRegistry) control = rws_registry_new ();
  g_autoptr(RwsProtocol) found = NULL;
  g_autoptr(GError) control_error = NULL;

  /* The plugin sits both in the current directory and in a subdirectory
   * of it, the two places a relative lookup would reach. */
  install_protocol (fixture->directory, "test-prefix", "test-prefix");
  install_protocol (subdir, "test-prefix", "test-prefix");
  g_assert_cmpint (g_chdir (fixture->directory), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (environment_values); i++)
    {
      g_autoptr(RwsRegistry) registry = NULL;
      g_autoptr(RwsProtocol) protocol = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("RWS_PLUGIN_PATH=%s", environment_values[i] != NULL ? environment_values[i] : "(unset)");
      if (environment_values[i] != NULL)
        g_setenv ("RWS_PLUGIN_PATH", environment_values[i], TRUE);
      else
        g_unsetenv ("RWS_PLUGIN_PATH");

      registry = rws_registry_new ();
      protocol = rws_registry_create_protocol (registry, "test-prefix", &error);
      g_assert_null (protocol);
      g_assert_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND);
      g_assert_finalize_object (g_steal_pointer (&registry));
    }

  g_unsetenv ("RWS_PLUGIN_PATH");
  g_assert_cmpint (g_chdir (saved_directory), ==, 0);

  /* The same directory given as an absolute path is searched. */
  rws_registry_add_search_path (control, fixture->directory);
  found = rws_registry_create_protocol (control, "test-prefix", &control_error);
  g_assert_no_error (control_error);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (found), ==, "TestPrefixProtocol");

  g_clear_object (&found);
  g_assert_finalize_object (g_steal_pointer (&control));
}

/* A client uses the test-prefix module by name through the default
 * registry, which main() points at the modules of tests/plugins. */
static void
test_module_end_to_end (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *plugin_file = g_build_filename (plugins_dir, "test-prefix.plugin", NULL);
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  g_autoptr(RwsClient) client = NULL;
  g_autoptr(RwsRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  RwsPluginInfo *info;
  RwsProtocol *protocol;

  client = g_object_new (RWS_TYPE_CLIENT,
                         "url", url,
                         "protocol", "test-prefix",
                         "keepalive-interval", 0,
                         "watch-network", FALSE,
                         NULL);
  recorder = rws_recorder_new (client);

  protocol = rws_client_get_protocol_instance (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (protocol), ==, "TestPrefixProtocol");

  info = find_listed (rws_registry_get_default (), RWS_PLUGIN_PROTOCOL, "test-prefix");
  g_assert_nonnull (info);
  g_assert_cmpstr (rws_plugin_info_get_file (info), ==, plugin_file);
  g_assert_true (rws_plugin_info_is_loaded (info));

  rws_client_start (client);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_READY, WAIT_MS));

  rws_test_server_send_text (server, "hello");
  rws_test_server_send_text (server, "world");
  g_assert_true (rws_recorder_wait_count (recorder, &recorder->messages->len, 2, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (recorder->messages, 0), ==, "prefix:hello");
  g_assert_cmpstr (g_ptr_array_index (recorder->messages, 1), ==, "prefix:world");
  g_assert_cmpuint (recorder->errors, ==, 0);

  rws_client_close (client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_clear_pointer (&recorder, rws_recorder_free);
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
add_test (const char *path,
          void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *relative_plugins_dir = NULL;

  rws_test_init (&argc, &argv);

  /* Plugins found through the caller's environment would change the
   * results. */
  g_unsetenv ("RWS_PLUGIN_PATH");

  /* Absolute, because test-registry changes the current directory and
   * links modules from other directories. */
  relative_plugins_dir = g_test_build_filename (G_TEST_BUILT, "plugins", NULL);
  plugins_dir = g_canonicalize_filename (relative_plugins_dir, NULL);
  rws_registry_add_search_path (rws_registry_get_default (), plugins_dir);

  add_test ("/registry/builtins/listed", test_builtins_listed);
  add_test ("/registry/builtins/default-registry", test_builtins_default_registry);
  add_test ("/registry/builtins/create", test_builtins_create);
  add_test ("/registry/builtins/wrong-kind", test_builtins_wrong_kind);
  add_test ("/registry/search-order/application-paths", test_search_order_application_paths);
  add_test ("/registry/search-order/environment", test_search_order_environment);
  add_test ("/registry/search-order/environment-entries", test_search_order_environment_entries);
  add_test ("/registry/search-order/subdirectories", test_search_order_subdirectories);
  add_test ("/registry/search-order/same-directory", test_search_order_same_directory);
  add_test ("/registry/bad-names/rejected", test_bad_names_rejected);
  add_test ("/registry/bad-names/in-plugin-file", test_bad_names_in_plugin_file);
  add_test ("/registry/not-found", test_not_found);
  add_test ("/registry/module/missing", test_module_missing);
  add_test ("/registry/module/no-register-function", test_module_no_register_function);
  add_test ("/registry/module/registers-nothing", test_module_registers_nothing);
  add_test ("/registry/module/end-to-end", test_module_end_to_end);
  add_test ("/registry/register/runtime-type", test_register_runtime_type);
  add_test ("/registry/register/duplicate-name", test_register_duplicate_name);
  add_test ("/registry/register/name-of-plugin-file", test_register_name_of_plugin_file);
  add_test ("/registry/register/wrong-type", test_register_wrong_type);
  add_test ("/registry/register/bad-name", test_register_bad_name);
  add_test ("/registry/lazy-loading", test_lazy_loading);
  add_test ("/registry/current-directory", test_current_directory_not_searched);

  return g_test_run ();
}
