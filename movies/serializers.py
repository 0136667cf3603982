from rest_framework import serializers

from movies.fields import ReleaseDateField, StrictCharField
from movies.models import Movie


# Declared field by field rather than as a ModelSerializer: a ModelSerializer introspects the
# model on every instantiation, which was a tenth of the cost of each write request.
class MovieSerializer(serializers.Serializer):
    """A film on the watchlist. Its watched state changes only by watching or unwatching it."""

    id = serializers.IntegerField(read_only=True)
    title = StrictCharField(
        max_length=Movie._meta.get_field("title").max_length,
        help_text="Stored without surrounding spaces.",
    )
    release_date = ReleaseDateField()
    is_watched = serializers.BooleanField(read_only=True)
    watched_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it was watched (UTC); null if not."
    )

    class Meta:
        fields = ["id", "title", "release_date", "is_watched", "watched_at"]

    def create(self, validated_data):
        return Movie.objects.create(**validated_data)

    def update(self, instance, validated_data):
        # Write only the fields this request sent: a full-row save would put back stale
        # values over a concurrent edit of another field, or over a concurrent watch.
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(validated_data))
        return instance
