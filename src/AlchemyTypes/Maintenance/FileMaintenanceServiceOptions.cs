namespace AlchemyTypes.Maintenance;

/// <summary>What the hosted file maintenance (<c>services.AddFileMaintenance&lt;TContext&gt;()</c>) runs, and how often.</summary>
public sealed class FileMaintenanceServiceOptions
{
    /// <summary>Time between runs (default 1 hour; at least 1 second).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Wait before the first run, so start-up is not slowed (default 1 minute; zero runs at once).</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Process the recorded storage deletes each run (default true).</summary>
    public bool ProcessPendingDeletes { get; set; } = true;

    /// <summary>Reconcile each run (default true); its settings are in <see cref="Reconcile"/>.</summary>
    public bool ReconcileFiles { get; set; } = true;

    /// <summary>The reconciliation settings (grace period, backends, dry run).</summary>
    public FileReconcileOptions Reconcile { get; set; } = new();

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An interval is out of range, or a reconcile option is.</exception>
    public void Validate()
    {
        if (Interval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "The maintenance interval must be at least one second (hours are typical).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(Reconcile);
        Reconcile.Validate();
    }
}
