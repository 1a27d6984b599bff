namespace AlchemyTypes;

/// <summary>
/// An entity whose creation and last-update times (UTC) and authors AlchemyTypes stamps on <c>SaveChanges</c>.
/// On insert all four are set; on update <see cref="UpdatedAt"/> and <see cref="UpdatedBy"/> are set and
/// <see cref="CreatedAt"/> and <see cref="CreatedBy"/> are kept as stored, even if the code changed them.
/// The authors come from the <see cref="IAuditUserAccessor"/> in use, and stay null when none is registered.
/// </summary>
public interface IAuditable
{
    /// <summary>When the row was inserted (UTC).</summary>
    DateTime CreatedAt { get; set; }

    /// <summary>When the row was last saved (UTC).</summary>
    DateTime UpdatedAt { get; set; }

    /// <summary>Who inserted the row, when an <see cref="IAuditUserAccessor"/> is registered.</summary>
    string? CreatedBy { get; set; }

    /// <summary>Who last saved the row, when an <see cref="IAuditUserAccessor"/> is registered.</summary>
    string? UpdatedBy { get; set; }
}
