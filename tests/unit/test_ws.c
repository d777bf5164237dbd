/* test_ws.c: unit tests of the WebSocket pieces in live/ws.c: Sec-WebSocket-Accept (the
 * example of RFC 6455 section 1.3) and the frames built once for many clients (header
 * forms at every length boundary, payload intact, control frames limited to 125). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <wslay/wslay.h>

#include "live/ws.h"

static void test_accept_key(void **state)
{
    (void)state;
    char out[WS_ACCEPT_LEN + 1];
    ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out); /* RFC 6455, 1.3 */
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

/* Encodes n bytes and checks the header form and the payload. */
static void check_frame(ws_encoder *e, size_t n, size_t header)
{
    uint8_t *payload = malloc(n + 1);
    uint8_t *out = malloc(n + WS_FRAME_HEADER_MAX);
    assert_non_null(payload);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) payload[i] = (uint8_t)('a' + i % 26);
    size_t len = ws_encode(e, WSLAY_TEXT_FRAME, payload, n, out);
    assert_int_equal(len, header + n);
    assert_int_equal(out[0], 0x81);     /* FIN, text */
    assert_int_equal(out[1] & 0x80, 0); /* not masked */
    uint64_t got = out[1] & 0x7f;
    if (header == 4) {
        assert_int_equal(got, 126);
        got = (uint64_t)out[2] << 8 | out[3];
    } else if (header == 10) {
        assert_int_equal(got, 127);
        got = 0;
        for (int i = 0; i < 8; i++) got = got << 8 | out[2 + i];
    }
    assert_int_equal(got, n);
    assert_memory_equal(out + header, payload, n);
    free(payload);
    free(out);
}

static void test_frames(void **state)
{
    (void)state;
    ws_encoder *e = ws_encoder_new();
    assert_non_null(e);
    check_frame(e, 0, 2);
    check_frame(e, 1, 2);
    check_frame(e, 125, 2);
    check_frame(e, 126, 4);
    check_frame(e, 65535, 4);
    check_frame(e, 65536, 10);
    check_frame(e, 300000, 10);
    check_frame(e, 5, 2); /* the encoder is reusable after large frames */
    ws_encoder_free(e);
}

static void test_control_frames(void **state)
{
    (void)state;
    ws_encoder *e = ws_encoder_new();
    uint8_t out[200 + WS_FRAME_HEADER_MAX];
    const uint8_t code[2] = {0x03, 0xea}; /* 1002 */
    size_t len = ws_encode(e, WSLAY_CONNECTION_CLOSE, code, 2, out);
    assert_int_equal(len, 4);
    assert_int_equal(out[0], 0x88);
    assert_int_equal(out[1], 2);
    assert_memory_equal(out + 2, code, 2);
    uint8_t big[126] = {0};
    assert_int_equal(ws_encode(e, WSLAY_PING, big, sizeof big, out), 0); /* over 125 */
    assert_int_equal(ws_encode(e, WSLAY_PING, big, 125, out), 127);      /* still usable */
    ws_encoder_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_key),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_control_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
