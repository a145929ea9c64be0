using Flow.Apps.FraudScore.Data;
using Flow.Stages.Kafka;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>A consumed Kafka record and the transaction decoded from it.</summary>
/// <param name="Record">The record; acknowledge it once its outputs are delivered.</param>
/// <param name="Transaction">The transaction.</param>
public sealed record KafkaTransaction(KafkaRecord Record, Transaction Transaction);
