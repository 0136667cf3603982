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
