import pytest

from conftest import SHARED_DATA, need
from maxrec_trainer.dialect import DataError
from maxrec_trainer.reader import keep_positives, read_interactions
from maxrec_trainer.split import leave_last_out


@pytest.mark.parametrize(
    "name, delimiter, lines, users, items, has_time",
    [
        ("ml-100k/u.data", "\t", 100_000, 943, 1682, True),
        ("ml-100k/u.data", None, 100_000, 943, 1682, True),
        ("ml-latest-small/ratings.csv", ",", 100_836, 610, 9724, True),
        ("book-crossing-slice/BX-Book-Ratings.csv", ";", None, None, None, False),
        ("book-crossing-slice/BX-Book-Ratings.csv", None, None, None, None, False),
        ("lastfm-hetrec2011-2k/user_artists.dat", "\t", 92_834, 1892, 17_632, False),
    ],
)
def test_reads_every_shared_data_set(name, delimiter, lines, users, items, has_time):
    data = read_interactions(need(SHARED_DATA / name), delimiter, {})
    if lines is not None:
        assert (len(data), len(data.user_ids), len(data.item_ids)) == (lines, users, items)
    assert (data.times is not None) == has_time
    assert data.ratings is not None
    assert all(isinstance(i, str) for i in data.item_ids[:100])


def test_book_crossing_keeps_string_isbns_and_latin1():
    data = read_interactions(need(SHARED_DATA / "book-crossing-slice/BX-Book-Ratings.csv"), ";", {})
    assert data.dialect.encoding == "latin-1"
    assert not data.dialect.header
    assert "0739432540" in data.item_ids  # the leading zero survives
    assert len(data) > 39_000


def test_double_colon_bom_crlf_and_quotes(write):
    path = write(
        "r.dat",
        "\ufeffuser::item::rating::timestamp\r\n1::10::5::100\r\n1::11::3::200\r\n2::10::4::50\r\n",
    )
    data = read_interactions(path, "::", {})
    assert data.dialect.header and len(data) == 3
    assert data.user_ids == ["1", "2"] and data.item_ids == ["10", "11"]
    quoted = write("q.csv", '"u","i","r"\n"a, b","x","1"\n"c","y","2"\n')
    data = read_interactions(quoted, ",", {})
    assert data.user_ids == ["a, b", "c"]


def test_only_user_and_item_and_ids_stay_strings(write):
    path = write("pairs.csv", "u1,0042\nu1,42\nu2,0042\n")
    data = read_interactions(path, ",", {})
    assert data.ratings is None and data.times is None
    assert data.item_ids == ["0042", "42"]


def test_latin1_file_and_sniffed_delimiter(write):
    path = write("l.txt", "Zoë|Ölfilm|4\nZoë|Café|5\nJosé|Café|3\n", encoding="latin-1")
    data = read_interactions(path, None, {})
    assert data.dialect.delimiter == "|"
    assert "Zoë" in data.user_ids and "Café" in data.item_ids


def test_duplicates_count_once_keeping_the_latest(write):
    path = write("d.csv", "user,item,rating,timestamp\n1,a,1,300\n1,a,5,100\n1,b,2,200\n")
    data = read_interactions(path, ",", {})
    assert data.duplicates == 1 and len(data) == 2
    kept = {data.item_ids[i]: r for i, r in zip(data.items, data.ratings)}
    assert kept["a"] == 1.0  # the line with the later time


def test_columns_by_name_and_min_rating(write):
    path = write("c.csv", "ts,item,who,stars\n1,a,u1,5\n2,b,u1,1\n3,c,u2,4\n")
    data = read_interactions(path, ",", {"user": "who", "rating": "stars", "time": "ts"})
    data = keep_positives(data, 4)
    assert sorted(data.item_ids) == ["a", "c"] and sorted(data.user_ids) == ["u1", "u2"]


def _error(path, delimiter=",", columns=None) -> str:
    with pytest.raises(DataError) as caught:
        data = read_interactions(path, delimiter, columns or {})
        leave_last_out(data, 42)
    return str(caught.value)


def test_missing_and_empty_files(tmp_path, write):
    assert "does not exist" in _error(tmp_path / "nope.csv")
    assert "is empty" in _error(write("e.csv", "\n\n"))


def test_single_column(write):
    message = _error(write("s.csv", "1\n2\n3\n"), None)
    assert "single column" in message and "s.csv" in message


def test_rating_that_is_not_a_number(write):
    message = _error(write("r.csv", "1,a,5\n1,b,4\n2,a,great\n"))
    assert "line 3" in message and "'great'" in message and "--rating_col" in message


def test_delimiter_that_splits_no_line(write):
    message = _error(write("t.tsv", "1\ta\t5\n2\tb\t4\n"), ",")
    assert "splits no line" in message and "--delimiter '\\t'" in message


def test_binary_file(write):
    message = _error(write("b.bin", b"PK\x03\x04\x00\x00binary"))
    assert "binary" in message and "line 1" in message


def test_no_user_with_two_interactions(write):
    message = _error(write("o.csv", "1,a\n2,b\n3,c\n"))
    assert "nothing can be held out" in message


def test_every_user_has_every_item(write):
    lines = "".join(f"{user},{item}\n" for user in range(20) for item in "abcde")
    message = _error(write("d.csv", lines))
    assert "all 5 items" in message and "nothing can be held out" not in message


def test_fewer_than_two_items(write):
    message = _error(write("i.csv", "1,a\n1,a\n2,a\n"))
    assert "at least 2" in message


def test_ragged_line_is_named(write):
    message = _error(write("g.csv", "1,a,5\n1,b,4\n2,a\n"))
    assert "line 3" in message


def test_padded_ids_are_trimmed_and_merged(write):
    data = read_interactions(write("p.csv", "1, a,5\n1,a ,4\n 2,b,3\n2,a,1\n"), ",", {})
    assert data.user_ids == ["1", "2"] and data.item_ids == ["a", "b"]
    assert data.duplicates == 1 and len(data) == 3
