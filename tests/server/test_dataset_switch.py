"""Switching dataset: the features that still apply stay, those the old dataset could not
offer come back, the defaults when none remain; a network the user has not built follows
the dataset's suggestion; and the `config` message says each of these in a sentence."""

from .conftest import is_frame


def switch(peer, **config):
    """Send a change; the config message it causes, and the new run's first frame."""
    peer.send(type="set", config=config)
    msg, _ = peer.until(lambda m: m.get("type") == "config")
    frame, _ = peer.until(lambda m: is_frame(m) and m["step"] == 0)
    return msg, frame


def test_back_from_the_sine_curve_both_coordinates_are_on_again(peer):
    peer.join()
    msg, frame = switch(peer, dataset="sine")
    assert msg["config"]["features"] == ["x1"] and frame["columns"][0]["size"] == 1
    assert msg["notes"] == ["Features: x₂ does not apply to sine curve (one input, x₁); the network sees x₁."]
    msg, frame = switch(peer, dataset="circle")
    assert msg["config"]["features"] == ["x1", "x2"]
    assert frame["columns"][0]["size"] == 2  # the network trains on both inputs again
    assert msg["notes"] == ["Features: x₂ was not available for sine curve; on circle, x₁ and x₂ are on again."]
    assert "features" in msg["changed"] and msg["rebuilt"] is True


def test_chosen_features_that_still_apply_are_kept_and_none_left_means_the_defaults(peer):
    peer.join({"features": ["x1sq", "x2", "sinx1"]})
    msg, _ = switch(peer, dataset="spiral")  # the plane again: everything applies, nothing said
    assert msg["config"]["features"] == ["x1sq", "x2", "sinx1"] and "notes" not in msg
    assert msg["changed"] == ["dataset"]
    msg, _ = switch(peer, dataset="sine")
    assert msg["config"]["features"] == ["x1sq", "sinx1"]
    assert msg["notes"] == [
        "Features: x₂ does not apply to sine curve (one input, x₁); the network sees x₁² and sin x₁."
    ]
    peer.send(type="set", config={"dataset": "circle", "features": ["x2sq"]})  # named with the dataset: the user's
    msg, _ = peer.until(lambda m: m.get("type") == "config")
    assert msg["config"]["features"] == ["x2sq"] and "notes" not in msg
    msg, _ = switch(peer, dataset="sine")
    assert msg["config"]["features"] == ["x1"]
    assert msg["notes"] == ["Features: x₂² does not apply to sine curve (one input, x₁); back to the default, x₁."]


def test_digits_brings_its_suggested_network_unless_the_user_built_one(peer):
    peer.join()
    msg, frame = switch(peer, dataset="digits")
    assert msg["config"]["hidden"] == [16] and [c["size"] for c in frame["columns"]] == [64, 16, 10]
    assert msg["notes"] == [
        "Network: one hidden layer of 16 neurons, suggested for digits (8×8), which hidden layers 4-2 learn poorly; "
        "build your own any time."
    ]
    msg, _ = switch(peer, dataset="circle")
    assert msg["config"]["hidden"] == [4, 2]
    assert msg["notes"] == [
        "Network: back to the default, hidden layers 4-2 (one hidden layer of 16 neurons was the suggestion for "
        "digits (8×8))."
    ]
    switch(peer, hidden=[8, 8])
    msg, _ = switch(peer, dataset="digits")  # the user's own network stays
    assert msg["config"]["hidden"] == [8, 8] and "notes" not in msg


def test_images_keep_the_feature_choice_for_the_way_back(peer):
    peer.join({"features": ["x1", "x2", "x1x2"]})
    msg, _ = switch(peer, dataset="digits")
    assert msg["config"]["features"] == ["x1", "x2", "x1x2"]
    assert msg["notes"] == [m for m in msg["notes"] if m.startswith("Network:")]  # nothing said of features
    msg, _ = switch(peer, dataset="xor")
    assert msg["config"]["features"] == ["x1", "x2", "x1x2"] and msg["config"]["hidden"] == [4, 2]


def test_after_sine_then_digits_the_plane_gets_both_coordinates_back(peer):
    peer.join({"dataset": "sine"})
    switch(peer, dataset="digits")
    msg, frame = switch(peer, dataset="circle")
    assert msg["config"]["features"] == ["x1", "x2"] and frame["columns"][0]["size"] == 2
    assert "Features: on circle, x₁ and x₂ are on again." in msg["notes"]
