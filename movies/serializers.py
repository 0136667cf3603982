from rest_framework import serializers

from movies.fields import ReleaseDateField
from movies.models import Movie


class MovieSerializer(serializers.ModelSerializer):
    """A film in the Flask app's shape. Watched state changes only through watch/unwatch."""

    release_date = ReleaseDateField()

    class Meta:
        model = Movie
        fields = ["id", "title", "release_date", "is_watched", "watched_at"]
        read_only_fields = ["is_watched", "watched_at"]

    def update(self, instance, validated_data):
        # Write only the fields this request sent: a full-row save would put back stale
        # values over a concurrent edit of another field, or over a concurrent watch.
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(validated_data))
        return instance
