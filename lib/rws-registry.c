/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <gmodule.h>
#include <glib/gi18n-lib.h>

#include "rws-i18n.h"

#include "rws-codec-private.h"
#include "rws-enum-types.h"
#include "rws-protocol-private.h"
#include "rws-registry.h"

/**
 * RwsPluginInfo:
 *
 * The registry's record of one plugin: its name, kind and description,
 * the `.plugin` file it came from, and whether its module is loaded.
 *
 * Since: 0.1
 */
struct _RwsPluginInfo
{
  GObject parent_instance;

  char *name;
  RwsPluginKind kind;
  char *description;
  char *version;
  char *file;         /* the .plugin key file, or NULL */
  char *module_path;  /* the module beside it, or NULL */
  GType type;
  gboolean builtin;
  GModule *module;
};

G_DEFINE_FINAL_TYPE (RwsPluginInfo, rws_plugin_info, G_TYPE_OBJECT)

static void
rws_plugin_info_finalize (GObject *object)
{
  RwsPluginInfo *self = RWS_PLUGIN_INFO (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->file, g_free);
  g_clear_pointer (&self->module_path, g_free);

  /* Modules stay resident: their types cannot be unregistered. */
  self->module = NULL;

  G_OBJECT_CLASS (rws_plugin_info_parent_class)->finalize (object);
}

static void
rws_plugin_info_class_init (RwsPluginInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rws_plugin_info_finalize;
}

static void
rws_plugin_info_init (RwsPluginInfo *self)
{
}

/**
 * rws_plugin_info_get_name:
 * @self: a plugin description
 *
 * Gets the name that configuration files and properties use.
 *
 * Returns: the name
 *
 * Since: 0.1
 */
const char *
rws_plugin_info_get_name (RwsPluginInfo *self)
{
  g_return_val_if_fail (RWS_IS_PLUGIN_INFO (self), NULL);

  return self->name;
}

/**
 * rws_plugin_info_get_kind:
 * @self: a plugin description
 *
 * Gets whether the plugin is a protocol or a codec.
 *
 * Returns: the kind
 *
 * Since: 0.1
 */
RwsPluginKind
rws_plugin_info_get_kind (RwsPluginInfo *self)
{
  g_return_val_if_fail (RWS_IS_PLUGIN_INFO (self), RWS_PLUGIN_PROTOCOL);

  return self->kind;
}

/**
 * rws_plugin_info_get_description:
 * @self: a plugin description
 *
 * Gets the one-line description.
 *
 * Returns: (nullable): the description
 *
 * Since: 0.1
 */
const char *
rws_plugin_info_get_description (RwsPluginInfo *self)
{
  g_return_val_if_fail (RWS_IS_PLUGIN_INFO (self), NULL);

  return self->description;
}

/**
 * rws_plugin_info_get_version:
 * @self: a plugin description
 *
 * Gets the version of the plugin.
 *
 * Returns: (nullable): the version
 *
 * Since: 0.1
 */
const char *
rws_plugin_info_get_version (RwsPluginInfo *self)
{
  g_return_val_if_fail (RWS_IS_PLUGIN_INFO (self), NULL);

  return self->version;
}

/**
 * rws_plugin_info_get_file:
 * @self: a plugin description
 *
 * Gets the `.plugin` file the plugin was found in.
 *
 * Returns: (nullable): the path, or `NULL` for a built-in plugin or a type
 *   registered at run time
 *
 * Since: 0.1
 */
const char *
rws_plugin_info_get_file (RwsPluginInfo *self)
{
  g_return_val_if_fail (RWS_IS_PLUGIN_INFO (self), NULL);

  return self->file;
}

/**
 * rws_plugin_info_is_builtin:
 * @self: a plugin description
 *
 * Tells whether the plugin is part of the library.
 *
 * Returns: `TRUE` for a built-in plugin
 *
 * Since: 0.1
 */
gboolean
rws_plugin_info_is_builtin (RwsPluginInfo *self)
{
  g_return_val_if_fail (RWS_IS_PLUGIN_INFO (self), FALSE);

  return self->builtin;
}

/**
 * rws_plugin_info_is_loaded:
 * @self: a plugin description
 *
 * Tells whether the plugin's type is available, which for a module means
 * it was loaded.
 *
 * Returns: `TRUE` when objects of the plugin can be created now
 *
 * Since: 0.1
 */
gboolean
rws_plugin_info_is_loaded (RwsPluginInfo *self)
{
  g_return_val_if_fail (RWS_IS_PLUGIN_INFO (self), FALSE);

  return self->type != G_TYPE_INVALID;
}

/**
 * RwsRegistry:
 *
 * Finds protocol and codec plugins by name and creates their objects.
 *
 * Plugin modules are described by `NAME.plugin` key files with a
 * `[Plugin]` group holding `Module`, `Name`, `Kind` (`protocol` or
 * `codec`), `Description` and `Version`. The registry looks for them, in
 * this order, in the directories added with
 * [method@Rws.Registry.add_search_path], in the colon-separated
 * directories of the `RWS_PLUGIN_PATH` environment variable, and in
 * `$libdir/rws-1/plugins`; in each directory and in its immediate
 * subdirectories. The first plugin of a kind and name wins. The current
 * directory is never searched unless it is on that list. A module is
 * opened the first time one of its plugins is created.
 *
 * Types written in Python or JavaScript are registered at run time with
 * [method@Rws.Registry.register_protocol] and
 * [method@Rws.Registry.register_codec].
 *
 * The registry belongs to the thread that uses it first; it is not
 * thread-safe.
 *
 * Since: 0.1
 */
struct _RwsRegistry
{
  GObject parent_instance;

  GPtrArray *application_paths;
  GListStore *plugins;
  gboolean scanned;

  /* The module whose register function runs now: only it may register
   * the names its .plugin files declare. */
  const char *loading_module;
};

G_DEFINE_FINAL_TYPE (RwsRegistry, rws_registry, G_TYPE_OBJECT)

typedef void (*RwsPluginRegisterFunc) (RwsRegistry *registry);

static void
rws_registry_finalize (GObject *object)
{
  RwsRegistry *self = RWS_REGISTRY (object);

  g_clear_pointer (&self->application_paths, g_ptr_array_unref);
  g_clear_object (&self->plugins);

  G_OBJECT_CLASS (rws_registry_parent_class)->finalize (object);
}

static void
rws_registry_class_init (RwsRegistryClass *klass)
{
  rws_i18n_init ();

  G_OBJECT_CLASS (klass)->finalize = rws_registry_finalize;
}

static const char *
kind_to_string (RwsPluginKind kind)
{
  return kind == RWS_PLUGIN_PROTOCOL ? "protocol" : "codec";
}

static RwsPluginInfo *
add_info (RwsRegistry   *self,
          const char    *name,
          RwsPluginKind  kind,
          const char    *description,
          GType          type,
          gboolean       builtin)
{
  RwsPluginInfo *info = g_object_new (RWS_TYPE_PLUGIN_INFO, NULL);

  info->name = g_strdup (name);
  info->kind = kind;
  info->description = g_strdup (description);
  info->version = g_strdup (PACKAGE_VERSION);
  info->type = type;
  info->builtin = builtin;
  g_list_store_append (self->plugins, info);
  g_object_unref (info);

  return info;
}

static void
rws_registry_init (RwsRegistry *self)
{
  self->application_paths = g_ptr_array_new_with_free_func (g_free);
  self->plugins = g_list_store_new (RWS_TYPE_PLUGIN_INFO);

  add_info (self, "raw", RWS_PLUGIN_PROTOCOL,
            _("Every WebSocket message is one message; no handshake and no topics"),
            RWS_TYPE_RAW_PROTOCOL, TRUE);
  add_info (self, "text", RWS_PLUGIN_CODEC,
            _("UTF-8 text, checked on the whole reassembled message"),
            RWS_TYPE_TEXT_CODEC, TRUE);
  add_info (self, "binary", RWS_PLUGIN_CODEC,
            _("Opaque bytes, delivered as they arrive"),
            RWS_TYPE_BINARY_CODEC, TRUE);
  add_info (self, "json", RWS_PLUGIN_CODEC,
            _("JSON values, parsed with json-glib"),
            RWS_TYPE_JSON_CODEC, TRUE);
}

/**
 * rws_registry_get_default:
 *
 * Gets the registry that clients use.
 *
 * Returns: (transfer none): the default registry
 *
 * Since: 0.1
 */
RwsRegistry *
rws_registry_get_default (void)
{
  static RwsRegistry *default_registry;

  if (g_once_init_enter (&default_registry))
    g_once_init_leave (&default_registry, rws_registry_new ());

  return default_registry;
}

/**
 * rws_registry_new:
 *
 * Creates a registry with the built-in plugins only, for tests and for
 * applications that keep their own plugin set.
 *
 * Returns: (transfer full): a new registry
 *
 * Since: 0.1
 */
RwsRegistry *
rws_registry_new (void)
{
  return g_object_new (RWS_TYPE_REGISTRY, NULL);
}

/**
 * rws_registry_add_search_path:
 * @self: a registry
 * @path: a directory
 *
 * Adds a directory to search for `.plugin` files, before those of
 * `RWS_PLUGIN_PATH` and the installed plugins. Directories added earlier
 * are searched first.
 *
 * Since: 0.1
 */
void
rws_registry_add_search_path (RwsRegistry *self,
                              const char  *path)
{
  g_return_if_fail (RWS_IS_REGISTRY (self));
  g_return_if_fail (path != NULL);

  for (guint i = 0; i < self->application_paths->len; i++)
    if (g_str_equal (g_ptr_array_index (self->application_paths, i), path))
      return;

  g_ptr_array_add (self->application_paths, g_strdup (path));
  self->scanned = FALSE;
}

/**
 * rws_registry_get_search_paths:
 * @self: a registry
 *
 * Gets the directories searched for plugins, in search order.
 *
 * Returns: (transfer full) (array zero-terminated=1): the directories
 *
 * Since: 0.1
 */
char **
rws_registry_get_search_paths (RwsRegistry *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  const char *environment;
  char **paths;

  g_return_val_if_fail (RWS_IS_REGISTRY (self), NULL);

  for (guint i = 0; i < self->application_paths->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->application_paths, i));

  environment = g_getenv ("RWS_PLUGIN_PATH");
  if (environment != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (environment, G_SEARCHPATH_SEPARATOR_S, -1);

      /* An empty entry would mean the current directory, which is never
       * searched. */
      for (guint i = 0; parts[i] != NULL; i++)
        if (*parts[i] != '\0' && g_path_is_absolute (parts[i]))
          g_strv_builder_add (builder, parts[i]);
    }

  g_strv_builder_add (builder, RWS_PLUGIN_DIR);

  paths = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return paths;
}

static RwsPluginInfo *
lookup (RwsRegistry   *self,
        RwsPluginKind  kind,
        const char    *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->plugins));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RwsPluginInfo) info = g_list_model_get_item (G_LIST_MODEL (self->plugins), i);

      if (info->kind == kind && g_str_equal (info->name, name))
        return info;
    }

  return NULL;
}

/* A name is a word of letters, digits, '-', '_' and '.', never a path. */
static gboolean
validate_name (const char  *name,
               const char  *what,
               GError     **error)
{
  gboolean valid = name != NULL && *name != '\0' && *name != '.';

  for (const char *p = name; valid && *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      valid = FALSE;

  if (!valid)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND,
                   /* Translators: the first value is "protocol" or "codec", the second the name given. */
                   _("Invalid %s plugin name “%s”: use a name of letters, digits, “-”, “_” and “.”, such as jsonrpc, never a path"),
                   what, name != NULL ? name : "");
      return FALSE;
    }

  return TRUE;
}

static void
read_plugin_file (RwsRegistry *self,
                  const char  *directory,
                  const char  *file)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *module = NULL;
  g_autofree char *name = NULL;
  g_autofree char *kind_name = NULL;
  g_autofree char *module_file = NULL;
  RwsPluginKind kind;
  RwsPluginInfo *info;

  if (!g_key_file_load_from_file (key_file, file, G_KEY_FILE_NONE, &error))
    {
      g_warning ("Ignoring the plugin file %s: %s", file, error->message);
      return;
    }

  module = g_key_file_get_string (key_file, "Plugin", "Module", NULL);
  name = g_key_file_get_string (key_file, "Plugin", "Name", NULL);
  kind_name = g_key_file_get_string (key_file, "Plugin", "Kind", NULL);

  if (module == NULL || name == NULL || kind_name == NULL)
    {
      g_warning ("Ignoring the plugin file %s: the [Plugin] group needs Module, Name and Kind", file);
      return;
    }

  if (g_str_equal (kind_name, "protocol"))
    kind = RWS_PLUGIN_PROTOCOL;
  else if (g_str_equal (kind_name, "codec"))
    kind = RWS_PLUGIN_CODEC;
  else
    {
      g_warning ("Ignoring the plugin file %s: Kind is “%s”, expected protocol or codec", file, kind_name);
      return;
    }

  if (!validate_name (name, kind_name, &error) || !validate_name (module, "module", &error))
    {
      g_warning ("Ignoring the plugin file %s: %s", file, error->message);
      return;
    }

  if (lookup (self, kind, name) != NULL)
    {
      g_debug ("The %s plugin “%s” of %s is hidden by one found earlier", kind_name, name, file);
      return;
    }

  module_file = g_strconcat (module, "." G_MODULE_SUFFIX, NULL);

  info = add_info (self, name, kind, NULL, G_TYPE_INVALID, FALSE);
  info->description = g_key_file_get_locale_string (key_file, "Plugin", "Description", NULL, NULL);
  g_free (info->version);
  info->version = g_key_file_get_string (key_file, "Plugin", "Version", NULL);
  info->file = g_strdup (file);
  info->module_path = g_build_filename (directory, module_file, NULL);

  g_debug ("Found the %s plugin “%s” in %s", kind_name, name, file);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
scan_directory (RwsRegistry *self,
                const char  *directory,
                gboolean     descend)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;

  /* Sorted, so the result does not depend on the order of directory
   * entries. */
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *entry = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (directory, entry, NULL);

      if (g_str_has_suffix (entry, ".plugin"))
        read_plugin_file (self, directory, path);
      else if (descend && g_file_test (path, G_FILE_TEST_IS_DIR))
        scan_directory (self, path, FALSE);
    }
}

static void
ensure_scanned (RwsRegistry *self)
{
  g_auto(GStrv) paths = NULL;

  if (self->scanned)
    return;

  paths = rws_registry_get_search_paths (self);
  for (guint i = 0; paths[i] != NULL; i++)
    scan_directory (self, paths[i], TRUE);

  self->scanned = TRUE;
}

/**
 * rws_registry_list_plugins:
 * @self: a registry
 *
 * Lists the built-in plugins, the plugins found in the search path and
 * the types registered at run time. Listing loads no module.
 *
 * Returns: (transfer none): a list of [class@Rws.PluginInfo]
 *
 * Since: 0.1
 */
GListModel *
rws_registry_list_plugins (RwsRegistry *self)
{
  g_return_val_if_fail (RWS_IS_REGISTRY (self), NULL);

  ensure_scanned (self);

  return G_LIST_MODEL (self->plugins);
}

static gboolean
load_module (RwsRegistry    *self,
             RwsPluginInfo  *info,
             GError        **error)
{
  RwsPluginRegisterFunc register_func = NULL;
  GModule *module;

  module = g_module_open (info->module_path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED,
                   /* Translators: the first value is a plugin name, the second a file, the third the loader's message. */
                   _("Could not load the module of the plugin “%s” from %s: %s"),
                   info->name, info->module_path, g_module_error ());
      return FALSE;
    }

  if (!g_module_symbol (module, RWS_PLUGIN_REGISTER_SYMBOL, (gpointer *) &register_func) ||
      register_func == NULL)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED,
                   /* Translators: the first value is a file, the second a function name. */
                   _("The plugin module %s has no function %s()"),
                   info->module_path, RWS_PLUGIN_REGISTER_SYMBOL);
      g_module_close (module);
      return FALSE;
    }

  /* Types cannot be unregistered, so the module stays loaded. */
  g_module_make_resident (module);
  info->module = module;
  self->loading_module = info->module_path;
  register_func (self);
  self->loading_module = NULL;

  if (info->type == G_TYPE_INVALID)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED,
                   /* Translators: the first value is a file, the second "protocol" or "codec", the third a name. */
                   _("The plugin module %s registered no %s named “%s”"),
                   info->module_path, kind_to_string (info->kind), info->name);
      return FALSE;
    }

  g_debug ("Loaded the %s plugin “%s” from %s", kind_to_string (info->kind), info->name, info->module_path);

  return TRUE;
}

/**
 * rws_registry_find_plugin:
 * @self: a registry
 * @kind: the kind of plugin
 * @name: the plugin name
 * @error: return location for an error
 *
 * Finds a plugin by name and loads its module if needed.
 *
 * Returns: (transfer none) (nullable): the plugin, or `NULL` with
 *   %RWS_ERROR_PLUGIN_NOT_FOUND or %RWS_ERROR_PLUGIN_FAILED
 *
 * Since: 0.1
 */
RwsPluginInfo *
rws_registry_find_plugin (RwsRegistry    *self,
                          RwsPluginKind   kind,
                          const char     *name,
                          GError        **error)
{
  RwsPluginInfo *info;

  g_return_val_if_fail (RWS_IS_REGISTRY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate_name (name, kind_to_string (kind), error))
    return NULL;

  info = lookup (self, kind, name);
  if (info == NULL)
    {
      ensure_scanned (self);
      info = lookup (self, kind, name);
    }

  if (info == NULL)
    {
      g_auto(GStrv) paths = rws_registry_get_search_paths (self);
      g_autofree char *searched = g_strjoinv (", ", paths);

      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_NOT_FOUND,
                   /* Translators: the first value is "protocol" or "codec", the second a name, the third a list of directories. */
                   _("No %s plugin named “%s” was found. Searched the built-in plugins and %s; "
                     "install the plugin or add its directory to RWS_PLUGIN_PATH"),
                   kind_to_string (kind), name, searched);
      return NULL;
    }

  if (info->type == G_TYPE_INVALID && !load_module (self, info, error))
    return NULL;

  return info;
}

static GObject *
create (RwsRegistry    *self,
        RwsPluginKind   kind,
        const char     *name,
        GError        **error)
{
  RwsPluginInfo *info = rws_registry_find_plugin (self, kind, name, error);

  if (info == NULL)
    return NULL;

  return g_object_new (info->type, NULL);
}

/**
 * rws_registry_create_protocol:
 * @self: a registry
 * @name: a protocol plugin name
 * @error: return location for an error
 *
 * Creates an object of the protocol plugin @name.
 *
 * Returns: (transfer full) (nullable): a new protocol, or `NULL` with @error set
 *
 * Since: 0.1
 */
RwsProtocol *
rws_registry_create_protocol (RwsRegistry  *self,
                              const char   *name,
                              GError      **error)
{
  return RWS_PROTOCOL (create (self, RWS_PLUGIN_PROTOCOL, name, error));
}

/**
 * rws_registry_create_codec:
 * @self: a registry
 * @name: a codec plugin name
 * @error: return location for an error
 *
 * Creates an object of the codec plugin @name.
 *
 * Returns: (transfer full) (nullable): a new codec, or `NULL` with @error set
 *
 * Since: 0.1
 */
RwsCodec *
rws_registry_create_codec (RwsRegistry  *self,
                           const char   *name,
                           GError      **error)
{
  return RWS_CODEC (create (self, RWS_PLUGIN_CODEC, name, error));
}

static gboolean
register_type (RwsRegistry    *self,
               RwsPluginKind   kind,
               GType           base,
               const char     *name,
               GType           type,
               const char     *description,
               GError        **error)
{
  RwsPluginInfo *info;

  if (!validate_name (name, kind_to_string (kind), error))
    return FALSE;

  if (!g_type_is_a (type, base) || G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED,
                   /* Translators: the first value is a type name, the second a plugin name, the third a base type name. */
                   _("Cannot register %s as the plugin “%s”: it must be a non-abstract subclass of %s"),
                   g_type_name (type), name, g_type_name (base));
      return FALSE;
    }

  info = lookup (self, kind, name);
  if (info != NULL && info->type == G_TYPE_INVALID &&
      g_strcmp0 (info->module_path, self->loading_module) == 0)
    {
      /* A module registers the type that its .plugin file announced. */
      info->type = type;
      if (info->description == NULL)
        info->description = g_strdup (description);
      return TRUE;
    }

  if (info != NULL && info->file != NULL && info->type == G_TYPE_INVALID)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED,
                   /* Translators: the first value is "protocol" or "codec", the second a name, the third a file. */
                   _("The %s plugin name “%s” is declared by %s; choose another name"),
                   kind_to_string (kind), name, info->file);
      return FALSE;
    }

  if (info != NULL)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_PLUGIN_FAILED,
                   /* Translators: the first value is "protocol" or "codec", the second a name. */
                   _("A %s plugin named “%s” is already registered; choose another name"),
                   kind_to_string (kind), name);
      return FALSE;
    }

  add_info (self, name, kind, description, type, FALSE);

  return TRUE;
}

/**
 * rws_registry_register_protocol:
 * @self: a registry
 * @name: the plugin name
 * @type: a subclass of [class@Rws.Protocol]
 * @description: (nullable): a one-line description
 * @error: return location for an error
 *
 * Registers @type as the protocol plugin @name, for classes defined at run
 * time, for example in Python or JavaScript, and for plugin modules.
 *
 * Returns: `TRUE` on success; `FALSE` when the name is taken or invalid
 *
 * Since: 0.1
 */
gboolean
rws_registry_register_protocol (RwsRegistry  *self,
                                const char   *name,
                                GType         type,
                                const char   *description,
                                GError      **error)
{
  g_return_val_if_fail (RWS_IS_REGISTRY (self), FALSE);

  return register_type (self, RWS_PLUGIN_PROTOCOL, RWS_TYPE_PROTOCOL, name, type, description, error);
}

/**
 * rws_registry_register_codec:
 * @self: a registry
 * @name: the plugin name
 * @type: a subclass of [class@Rws.Codec]
 * @description: (nullable): a one-line description
 * @error: return location for an error
 *
 * Registers @type as the codec plugin @name, like
 * [method@Rws.Registry.register_protocol].
 *
 * Returns: `TRUE` on success; `FALSE` when the name is taken or invalid
 *
 * Since: 0.1
 */
gboolean
rws_registry_register_codec (RwsRegistry  *self,
                             const char   *name,
                             GType         type,
                             const char   *description,
                             GError      **error)
{
  g_return_val_if_fail (RWS_IS_REGISTRY (self), FALSE);

  return register_type (self, RWS_PLUGIN_CODEC, RWS_TYPE_CODEC, name, type, description, error);
}
