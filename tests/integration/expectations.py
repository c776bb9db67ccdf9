"""What the collection should return for the emulator's records: computed from its catalogue, never hard-coded."""


def expected_record(raw):
    """The export record as the modules return it, from the emulator's raw record."""
    return {
        "architecture": raw["Architecture"],
        "creation_time": raw["CreationTime"],
        "exported_image_url": raw["ExportedImageURL"],
        "image_export_status": raw["ImageExportStatus"],
        "image_id": raw["ImageId"],
        "image_name": raw["ImageName"],
        "image_owner_alias": raw["ImageOwnerAlias"],
        "platform": raw["Platform"],
    }
