"""The citizen channels: online requests (网上诉求), progress tracking (进度查询), online ratings (好差评)."""
