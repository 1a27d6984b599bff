namespace AlchemyTypes;

/// <summary>
/// Supplies the name or id of the current user for <see cref="IAuditable.CreatedBy"/> and <see cref="IAuditable.UpdatedBy"/>.
/// Register one with <c>AddAlchemyTypes(a => a.UseAuditUser(...))</c>, or in the application's dependency injection
/// container (it is then resolved from the service provider that created the <c>DbContext</c>, so a scoped
/// implementation sees the current request).
/// </summary>
public interface IAuditUserAccessor
{
    /// <summary>The current user, or null when there is none (a background job, say).</summary>
    /// <returns>The user's name or id.</returns>
    string? GetCurrentUser();
}
