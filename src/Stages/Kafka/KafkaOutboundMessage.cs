namespace Flow.Stages.Kafka;

/// <summary>A message to produce.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Key">The key (decides the partition), or <see langword="null"/>.</param>
/// <param name="Value">The value's bytes.</param>
public sealed record KafkaOutboundMessage(string Topic, string? Key, byte[] Value);
