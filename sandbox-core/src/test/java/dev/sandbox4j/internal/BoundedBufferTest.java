package dev.sandbox4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoundedBufferTest {

    private static byte[] bytes(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    @Test
    void keepsEverythingUpToTheLimit() {
        // given
        BoundedBuffer buffer = new BoundedBuffer(1000);

        // when
        buffer.write(bytes(600, 0), 0, 600);
        buffer.write(bytes(400, 88), 0, 400);

        // then
        assertThat(buffer.size()).isEqualTo(1000);
        assertThat(buffer.dropped()).isZero();
        assertThat(buffer.toByteArray()).startsWith(bytes(600, 0)).endsWith(bytes(400, 88));
    }

    @Test
    void keepsTheFirstBytesAndCountsTheRestAcrossWrites() {
        // given
        BoundedBuffer buffer = new BoundedBuffer(10);

        // when
        buffer.write(bytes(8, 0), 0, 8);
        buffer.write(bytes(5, 8), 0, 5);
        buffer.write(bytes(7, 13), 0, 7);

        // then
        assertThat(buffer.toByteArray()).isEqualTo(bytes(10, 0));
        assertThat(buffer.dropped()).isEqualTo(10);
    }

    @Test
    void writeHonoursOffsetAndLength() {
        // given
        BoundedBuffer buffer = new BoundedBuffer(100);

        // when
        buffer.write(bytes(10, 0), 3, 4);

        // then
        assertThat(buffer.toByteArray()).containsExactly(3, 4, 5, 6);
    }

    @Test
    void growsPastItsInitialCapacity() {
        // given
        BoundedBuffer buffer = new BoundedBuffer(1 << 20);
        byte[] chunk = bytes(1000, 0);

        // when
        for (int i = 0; i < 700; i++) {
            buffer.write(chunk, 0, chunk.length);
        }

        // then
        assertThat(buffer.size()).isEqualTo(700_000);
        assertThat(buffer.dropped()).isZero();
    }

    @Test
    void zeroLimitKeepsNothingAndCountsEverything() {
        // given
        BoundedBuffer buffer = new BoundedBuffer(0);

        // when
        buffer.write(bytes(5, 0), 0, 5);

        // then
        assertThat(buffer.toByteArray()).isEmpty();
        assertThat(buffer.dropped()).isEqualTo(5);
    }
}
