from rest_framework import serializers

from .models import DETAILS_MAX_LENGTH, Reason, Report


class ReportCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Reason.choices)
    details = serializers.CharField(
        max_length=DETAILS_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ReportSerializer(serializers.ModelSerializer):
    target_kind = serializers.CharField(source="case.kind", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "target_kind", "reason", "details", "status", "created_at"]
        read_only_fields = fields
