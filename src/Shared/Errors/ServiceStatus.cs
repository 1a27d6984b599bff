namespace AlchemyTypes.Shared.Errors;

/// <summary>What a store answered to a failed request.</summary>
/// <param name="Status">The HTTP status, or 0 when none was received.</param>
/// <param name="ErrorCode">The store's error code, if any.</param>
/// <param name="Detail">The error code and message as a message shows them.</param>
internal sealed record ServiceStatus(int Status, string? ErrorCode, string Detail);
