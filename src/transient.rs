//! Decoding `Deserialize<'static>` types from a buffer that does not live
//! for ever (feature `cluster`).
//!
//! [`Wire`](crate::Wire) asks for `Deserialize<'static>`, not
//! `DeserializeOwned`, so that an RDD of `&'static str` (common in small
//! programs) still compiles with the `cluster` feature. Received bytes live
//! only as long as the round, so [`Transient`] wraps a deserializer and
//! turns every borrowed string or byte slice it would hand out into a
//! transient one: owned types decode as usual, and a type that really
//! borrows (such as `&'static str`) fails to decode with a clear error
//! instead of pointing into freed memory.

use std::marker::PhantomData;

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

/// A deserializer over short-lived input (of lifetime `'de`), usable as
/// `Deserializer<'static>`.
pub(crate) struct Transient<'de, D>(D, PhantomData<&'de ()>);

impl<'de, D: Deserializer<'de>> Transient<'de, D> {
    pub(crate) fn new(deserializer: D) -> Self {
        Transient(deserializer, PhantomData)
    }
}

/// A visitor or seed wrapped so that it sees transient input only.
struct Wrap<T>(T);

/// A sequence, map or enum over short-lived input, seen as `'static`.
struct Access<'de, A>(A, PhantomData<&'de ()>);

fn access<'de, A>(inner: A) -> Access<'de, A> {
    Access(inner, PhantomData)
}

macro_rules! forward_deserialize {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'static>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.0.$method(Wrap(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'static> for Transient<'de, D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'static>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, Wrap(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'static>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, Wrap(visitor))
    }

    fn deserialize_tuple<V: Visitor<'static>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple(len, Wrap(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'static>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap(visitor))
    }

    fn deserialize_struct<V: Visitor<'static>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_struct(name, fields, Wrap(visitor))
    }

    fn deserialize_enum<V: Visitor<'static>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, Wrap(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident: $type:ty),*) => {
        $(
            fn $method<E: serde::de::Error>(self, value: $type) -> Result<Self::Value, E> {
                self.0.$method(value)
            }
        )*
    };
}

impl<'de, V: Visitor<'static>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(formatter)
    }

    forward_visit!(
        visit_bool: bool,
        visit_i8: i8,
        visit_i16: i16,
        visit_i32: i32,
        visit_i64: i64,
        visit_i128: i128,
        visit_u8: u8,
        visit_u16: u16,
        visit_u32: u32,
        visit_u64: u64,
        visit_u128: u128,
        visit_f32: f32,
        visit_f64: f64,
        visit_char: char,
        visit_str: &str,
        visit_string: String,
        visit_bytes: &[u8],
        visit_byte_buf: Vec<u8>
    );

    fn visit_borrowed_str<E: serde::de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        self.0.visit_str(value)
    }

    fn visit_borrowed_bytes<E: serde::de::Error>(self, value: &'de [u8]) -> Result<Self::Value, E> {
        self.0.visit_bytes(value)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Transient::new(deserializer))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Transient::new(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(access(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(access(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(access(data))
    }
}

impl<'de, S: DeserializeSeed<'static>> DeserializeSeed<'de> for Wrap<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(Transient::new(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'static> for Access<'de, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'static>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0.next_element_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'static> for Access<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'static>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        self.0.next_key_seed(Wrap(seed))
    }

    fn next_value_seed<V: DeserializeSeed<'static>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.next_value_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'static> for Access<'de, A> {
    type Error = A::Error;
    type Variant = Access<'de, A::Variant>;

    fn variant_seed<V: DeserializeSeed<'static>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Self::Error> {
        self.0
            .variant_seed(Wrap(seed))
            .map(|(value, variant)| (value, access(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'static> for Access<'de, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'static>>(
        self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        self.0.newtype_variant_seed(Wrap(seed))
    }

    fn tuple_variant<V: Visitor<'static>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.tuple_variant(len, Wrap(visitor))
    }

    fn struct_variant<V: Visitor<'static>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.struct_variant(fields, Wrap(visitor))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    fn decode<T: Deserialize<'static>>(bytes: &[u8]) -> postcard::Result<T> {
        let mut deserializer = postcard::Deserializer::from_bytes(bytes);
        T::deserialize(Transient::new(&mut deserializer))
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    enum Shape {
        Unit,
        Newtype(String),
        Tuple(u8, i64),
        Struct {
            name: String,
            tags: Option<Vec<String>>,
        },
    }

    #[test]
    fn owned_types_decode_from_a_short_lived_buffer() {
        let value = (
            "word".to_string(),
            vec![Shape::Unit, Shape::Newtype("n".into()), Shape::Tuple(1, -2)],
            BTreeMap::from([(
                1u8,
                Shape::Struct {
                    name: "s".into(),
                    tags: Some(vec!["t".into()]),
                },
            )]),
            f64::NAN.to_bits(),
            vec![1u8, 2],
        );
        let bytes = postcard::to_allocvec(&value).unwrap();
        let back: (String, Vec<Shape>, BTreeMap<u8, Shape>, u64, Vec<u8>) = decode(&bytes).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn borrowed_types_are_an_error_not_a_dangling_reference() {
        let bytes = postcard::to_allocvec(&"borrowed").unwrap();
        assert!(decode::<&'static str>(&bytes).is_err());
        assert_eq!(decode::<String>(&bytes).unwrap(), "borrowed");
    }
}
