/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "rws-test-utils.h"

struct _RwsTestNetworkMonitor
{
  GObject parent_instance;

  int reachable;     /* gboolean, read and written with atomics */
  int reach_checks;  /* atomic */
  int resolve_fails; /* gboolean, atomic: fail with a name resolution error */
};

enum
{
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static void rws_test_network_monitor_initable_iface_init (GInitableIface *iface);
static void rws_test_network_monitor_iface_init (GNetworkMonitorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RwsTestNetworkMonitor, rws_test_network_monitor,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      rws_test_network_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      rws_test_network_monitor_iface_init))

static GNetworkConnectivity
connectivity_for (gboolean reachable)
{
  return reachable ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL;
}

static void
rws_test_network_monitor_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  RwsTestNetworkMonitor *self = RWS_TEST_NETWORK_MONITOR (object);
  gboolean reachable = g_atomic_int_get (&self->reachable);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, reachable);
      break;

    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;

    case PROP_CONNECTIVITY:
      g_value_set_enum (value, connectivity_for (reachable));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_test_network_monitor_class_init (RwsTestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rws_test_network_monitor_get_property;

  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE,
                                    "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED,
                                    "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY,
                                    "connectivity");
}

static void
rws_test_network_monitor_init (RwsTestNetworkMonitor *self)
{
  self->reachable = TRUE;
}

static gboolean
rws_test_network_monitor_initable_init (GInitable    *initable,
                                        GCancellable *cancellable,
                                        GError      **error)
{
  return TRUE;
}

static void
rws_test_network_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = rws_test_network_monitor_initable_init;
}

static gboolean
check_reachable (RwsTestNetworkMonitor *self,
                 GError               **error)
{
  if (g_atomic_int_get (&self->resolve_fails))
    {
      g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                           "Name or service not known (set by the test)");
      return FALSE;
    }

  if (g_atomic_int_get (&self->reachable))
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                       "Network unreachable (set by the test)");
  return FALSE;
}

static gboolean
rws_test_network_monitor_can_reach (GNetworkMonitor     *monitor,
                                    GSocketConnectable  *connectable,
                                    GCancellable        *cancellable,
                                    GError             **error)
{
  RwsTestNetworkMonitor *self = RWS_TEST_NETWORK_MONITOR (monitor);

  g_atomic_int_inc (&self->reach_checks);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return check_reachable (self, error);
}

static gboolean
complete_can_reach (gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  if (check_reachable (g_task_get_source_object (task), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);

  return G_SOURCE_REMOVE;
}

/* Completes the check from an idle source in the caller's thread-default
 * main context, so the callback never runs before this function returns.
 * The result reflects the state when the idle source runs.
 */
static void
rws_test_network_monitor_can_reach_async (GNetworkMonitor     *monitor,
                                          GSocketConnectable  *connectable,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSource) source = NULL;

  g_atomic_int_inc (&RWS_TEST_NETWORK_MONITOR (monitor)->reach_checks);

  task = g_task_new (monitor, cancellable, callback, user_data);
  g_task_set_source_tag (task, rws_test_network_monitor_can_reach_async);

  source = g_idle_source_new ();
  g_task_attach_source (task, source, complete_can_reach);
}

static gboolean
rws_test_network_monitor_can_reach_finish (GNetworkMonitor  *monitor,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, monitor), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
rws_test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = rws_test_network_monitor_can_reach;
  iface->can_reach_async = rws_test_network_monitor_can_reach_async;
  iface->can_reach_finish = rws_test_network_monitor_can_reach_finish;
}

/**
 * rws_test_network_monitor_new:
 * @reachable: initial state
 *
 * Creates a network monitor that reports the network as available with full
 * connectivity when @reachable is %TRUE, and as unavailable with local
 * connectivity otherwise.  It needs no g_initable_init().
 *
 * Returns: (transfer full): the monitor
 */
RwsTestNetworkMonitor *
rws_test_network_monitor_new (gboolean reachable)
{
  RwsTestNetworkMonitor *self = g_object_new (RWS_TEST_TYPE_NETWORK_MONITOR, NULL);

  self->reachable = !!reachable;

  return self;
}

/**
 * rws_test_network_monitor_set_reachable:
 * @monitor: a monitor
 * @reachable: new state
 *
 * Changes the state.  On a change, emits notify for network-available and
 * connectivity, then #GNetworkMonitor::network-changed with the new
 * availability, synchronously in the calling thread.  Setting the current
 * state again emits nothing.
 */
void
rws_test_network_monitor_set_reachable (RwsTestNetworkMonitor *monitor,
                                        gboolean               reachable)
{
  g_return_if_fail (RWS_TEST_IS_NETWORK_MONITOR (monitor));

  reachable = !!reachable;
  if (g_atomic_int_get (&monitor->reachable) == reachable)
    return;

  g_atomic_int_set (&monitor->reachable, reachable);

  g_object_notify (G_OBJECT (monitor), "network-available");
  g_object_notify (G_OBJECT (monitor), "connectivity");
  g_signal_emit_by_name (monitor, "network-changed", reachable);
}

/**
 * rws_test_network_monitor_get_reachable:
 * @monitor: a monitor
 *
 * Returns: the state set last
 */
gboolean
rws_test_network_monitor_get_reachable (RwsTestNetworkMonitor *monitor)
{
  g_return_val_if_fail (RWS_TEST_IS_NETWORK_MONITOR (monitor), FALSE);

  return g_atomic_int_get (&monitor->reachable);
}

/**
 * rws_test_network_monitor_get_reach_checks:
 * @monitor: a monitor
 *
 * Returns: the number of g_network_monitor_can_reach() and
 *   g_network_monitor_can_reach_async() calls so far, counted when called,
 *   whatever the result
 */
guint
rws_test_network_monitor_get_reach_checks (RwsTestNetworkMonitor *monitor)
{
  g_return_val_if_fail (RWS_TEST_IS_NETWORK_MONITOR (monitor), 0);

  return g_atomic_int_get (&monitor->reach_checks);
}

/**
 * rws_test_network_monitor_set_resolve_fails:
 * @monitor: a monitor
 * @resolve_fails: whether reachability checks fail as a host name that
 *   does not resolve would
 *
 * Makes can_reach fail with G_RESOLVER_ERROR_NOT_FOUND, without any name
 * lookup, so a test needs no DNS.
 */
void
rws_test_network_monitor_set_resolve_fails (RwsTestNetworkMonitor *monitor,
                                            gboolean               resolve_fails)
{
  g_atomic_int_set (&monitor->resolve_fails, resolve_fails);
}
