"""A CSV file of your own points: a good one becomes the dataset in one change; each kind of
bad file is refused with an error naming the row and the column, and the session is unchanged."""

import base64

import numpy as np
import pytest

from server.csvdata import MAX_BYTES, CsvError, parse

from .conftest import is_frame

pytestmark = pytest.mark.timeout(60)  # a message that never comes fails the test, not the run
POINTS = [[1, 1, 0], [-1, -1, 1], [2, -2, 1]]

# (what is wrong, the file, words the error must hold: the row and column it names, and why)
BAD = [
    ("empty file", b"", "the file is empty"),
    ("blank file", b"\n \n", "only blank space"),
    ("not UTF-8", b"x1,x2,label\n1,2,0\n0.5,\xe9,1\n", "row 3: byte 0xe9 is not UTF-8"),
    ("not numeric", b"x1,x2,label\n1,2,0\n3,abc,1\n", "row 3, column x2: 'abc' is not a number"),
    ("missing column", b"x1,x2,label\n1,2,0\n3,4\n", "row 3, column label: is missing"),
    ("extra column", b"1,2,0\n3,4,1,9\n", "row 2: the row has 4 values; expected 3"),
    ("empty cell", b"x,y\n1,2\n,3\n", "row 3, column x: is empty"),
    ("NaN", b"x1,x2,label\n1,2,0\nnan,1,1\n", "row 3, column x1: is NaN"),
    ("infinity", b"x,y\n1,2\n2,inf\n", "row 3, column y: is infinite"),
    ("outside the plot", b"x1,x2,label\n1,2,0\n1,9.5,1\n", "row 3, column x2: 9.5 is outside the plot"),
    ("label outside the classes", b"x1,x2,label\n1,2,0\n1,1,7\n", "row 3, column label: 7 is not a class"),
    ("label not whole", b"1,2,0\n1,1,0.5\n", "row 2, column label: 0.5 is not a whole number"),
    ("unknown header", b"x1,x2,colour\n1,2,0\n", "row 1, column 3: 'colour' is not a column name"),
    ("wrong width", b"1,2,3,4\n", "row 1: has 4 values"),
    ("header only", b"x,y\n", "row 1: the file has a header and no rows"),
    ("one row", b"x,y\n\n1,2\n", "row 3: only one row of data"),
    ("one class", b"1,2,0\n2,1,0\n", "every row is class 0"),
    ("too many rows", b"x,y\n" + b"1,1\n" * 2001, "row 2002: more than 2,000 rows"),
    ("too many bytes", b"x,y\n" + b"1.00000000000,1.0000000000000\n" * 1500, "is 45,004 bytes; at most 45,000"),
]


@pytest.mark.parametrize(("what", "data", "words"), BAD, ids=[b[0] for b in BAD])
def test_parse_names_what_is_wrong(what, data, words):
    with pytest.raises(CsvError) as e:
        parse(data, max_rows=2000)
    assert words in str(e.value), str(e.value)


def upload(peer, data: bytes):
    peer.send(type="upload", csv=base64.b64encode(data).decode())


@pytest.mark.parametrize(("what", "data", "words"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_and_nothing_changes(peer, what, data, words):
    hello, _, _ = peer.join({"dataset": "own", "points": POINTS})
    upload(peer, data)
    err = peer.recv()  # the very next message: no config, dataset or frame came first
    assert err["type"] == "error" and err["field"] == "csv" and words in err["message"], err
    peer.send(type="set", config={"learning_rate": 0.1})
    msg, _ = peer.until(lambda m: m.get("type") == "config")
    assert msg["config_version"] == hello["config_version"] + 1 and msg["changed"] == ["learning_rate"]
    assert msg["config"] == {**hello["config"], "learning_rate": 0.1}  # nothing else changed


def test_a_good_file_becomes_the_dataset_in_one_change(peer):
    peer.join()  # the circle
    rows = "".join(f"{x / 10},{-x / 20},{x % 3}\r\n" for x in range(50))
    upload(peer, ("\ufeffX1, x2 ,Label\r\n" + rows).encode())  # a byte-order mark, spaces and capitals are fine
    msg = peer.expect(type="config")
    assert msg["changed"] == ["dataset", "points"] and msg["rebuilt"] is True
    assert msg["config"]["points"][3] == [0.3, -0.15, 0]
    dataset = peer.expect(kind="dataset")
    assert (dataset["problem"], dataset["classes"], dataset["n_train"] + dataset["n_test"]) == ("multiclass", 3, 50)
    x = np.concatenate([dataset["arrays_"]["train.x"][:, 0], dataset["arrays_"]["test.x"][:, 0]])
    assert np.allclose(np.sort(x), np.arange(50) / 10)  # every row, once


def test_a_curve_file_switches_to_your_curve(peer):
    peer.join()
    upload(peer, b"0,1\n1,2\n2,3\n3,4\n")  # no header: two values a row are a curve
    msg = peer.expect(type="config")
    assert msg["config"]["dataset"] == "own_line" and msg["config"]["line_points"] == [[0, 1], [1, 2], [2, 3], [3, 4]]
    assert peer.expect(kind="dataset")["inputs"] == "line"
    frame, _ = peer.until(is_frame)
    assert frame["columns"][0]["size"] == 1


def test_an_upload_may_exceed_the_message_limit_other_messages_may_not(peer):
    peer.join()
    rows = b"x1,x2,label\n" + b"".join(b"%.5f,%.5f,%d\n" % (i / 400, -i / 400, i % 2) for i in range(2000))
    assert 16 * 1024 < len(rows) <= MAX_BYTES
    upload(peer, rows)
    assert len(peer.expect(type="config")["config"]["points"]) == 2000
    peer.send(type="set", config={"hidden": [4]}, pad="x" * 20_000)
    err, _ = peer.until(lambda m: m.get("type") == "error")
    assert err["field"] == "message" and "limit is 16384" in err["message"]
