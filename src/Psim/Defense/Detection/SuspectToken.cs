namespace Psim.Defense.Detection;

/// <summary>A vocabulary token a model audit named as a likely trigger: its id in the victim's vocabulary, and the token.</summary>
public sealed record SuspectToken(int Id, string Token);
