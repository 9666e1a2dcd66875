//! The mock's routes of an API, from its OpenAPI document: one axum route per path (its methods,
//! any other method answered by the hand-written `method_not_allowed`), the extraction of path,
//! query and body into one typed request per operation (twins share one, with a `side`), and a
//! dispatch to the hand-written `Operations` trait, where the behaviour stays.
//!
//! Extraction never refuses: a path segment that does not decode is kept raw, a query that does
//! not decode is read as none, and the body is handed over unread (the handler decides when and
//! how much of it to read), so every answer stays the handler's.

use std::collections::BTreeMap;
use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::op_model::{self, Op};
use crate::{Error, Rendered, format};

/// Renders `crates/<dir>/routes.rs` and `crates/<dir>/mod.rs`.
pub(crate) fn render(ops: &[Op], dir: &str, head: &str, out: &mut Rendered) -> Result<(), Error> {
    let dir = Path::new("crates").join(dir);
    let twins: Vec<&str> = ops.iter().filter_map(|op| op.twin.as_deref()).collect();
    let mut requests = Vec::new();
    let mut methods = Vec::new();
    let mut handlers = Vec::new();
    let mut sides = Vec::new();
    for op in ops.iter().filter(|op| !twins.contains(&op.id.as_str())) {
        let twin = op
            .twin
            .as_ref()
            .and_then(|t| ops.iter().find(|o| &o.id == t));
        let name = match twin {
            Some(twin) => op_model::twin_name(&op.id, &twin.id),
            None => Some(op_model::upper_camel(&op.id)),
        }
        .ok_or_else(|| Error::Spec(format!("{}: twin ids differ by more than one word", op.id)))?;
        let (request, method, handler) = render_op(op, twin, &name);
        requests.push(request);
        methods.push(method);
        handlers.extend(handler);
        for side in [Some(op), twin]
            .into_iter()
            .flatten()
            .filter(|_| twin.is_some())
        {
            if !sides.contains(&side.side()) {
                sides.push(side.side());
            }
        }
    }
    let routes = render_routes(ops);
    let sides: Vec<_> = sides.iter().map(|s| format_ident!("{}", s)).collect();
    let tokens = quote! {
        use std::collections::HashMap;

        use axum::Router;
        use axum::body::Body;
        use axum::extract::rejection::{PathRejection, QueryRejection};
        use axum::extract::{ConnectInfo, Path, Query, State};
        use axum::http::{HeaderMap, Uri};
        use axum::response::Response;

        use crate::fault::Connection;

        /// Which side a twin operation was called on.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Side { #(#sides),* }

        /// What every request brings besides its parameters.
        pub(crate) struct Call {
            pub connection: Connection,
            pub headers: HeaderMap,
            pub uri: Uri,
            /// The whole query string, decoded (empty when it does not decode).
            pub query: HashMap<String, String>,
        }

        #(#requests)*

        /// The behaviour of each operation: hand-written.
        pub(crate) trait Operations: Clone + Send + Sync + 'static {
            /// The answer to a method that a path does not serve.
            fn method_not_allowed() -> Response;
            #(#methods)*
        }

        /// Every route under the application path `app`.
        pub(crate) fn routes<S: Operations>(app: &str) -> Router<S> {
            Router::new() #(#routes)*
        }

        #(#handlers)*

        /// A segment axum cannot decode (not UTF-8) is kept raw: it names nothing.
        fn segment(path: Result<Path<String>, PathRejection>, uri: &Uri) -> String {
            match path {
                Ok(Path(segment)) => segment,
                Err(_) => uri.path().rsplit('/').next().unwrap_or_default().to_owned(),
            }
        }

        fn query(query: Result<Query<HashMap<String, String>>, QueryRejection>) -> HashMap<String, String> {
            query.map(|Query(q)| q).unwrap_or_default()
        }
    };
    let path = dir.join("routes.rs");
    let file = format::tokens_to_file(&path, tokens)?;
    out.files.insert(path, format::render_file(head, &file));
    let module = format::tokens_to_file(
        &dir.join("mod.rs"),
        quote!(
            pub(crate) mod routes;
        ),
    )?;
    out.files
        .insert(dir.join("mod.rs"), format::render_file(head, &module));
    out.owned_dirs.insert(dir);
    Ok(())
}

/// The request type, the trait method and the axum handler(s) of one operation or twin pair.
fn render_op(
    op: &Op,
    twin: Option<&Op>,
    name: &str,
) -> (TokenStream, TokenStream, Vec<TokenStream>) {
    let ident = format_ident!("{}", name);
    let method = format_ident!(
        "{}",
        crate::operations::screaming_snake(name).to_ascii_lowercase()
    );
    let mut fields = Vec::new();
    for param in &op.params {
        let field = field_ident(&param.name);
        let doc = format!(" `{}` ({}).", param.name, param.location);
        fields.push(match param.location.as_str() {
            "path" => quote! { #[doc = #doc] pub #field: String, },
            _ => quote! { #[doc = #doc] pub #field: Option<String>, },
        });
    }
    if op.has_body {
        fields.push(quote! { /// The body, unread.
        pub body: Body, });
    }
    let side = twin.map(|_| {
        quote! { /// The side it was called on.
        pub side: Side, }
    });
    let ids: Vec<String> = [Some(op), twin]
        .into_iter()
        .flatten()
        .map(|o| format!("`{}`", o.id))
        .collect();
    let doc = format!(
        " {}: {} `{}`.",
        ids.join(" / "),
        op.method.to_ascii_uppercase(),
        op.path
    );
    let request = quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        pub(crate) struct #ident { #side #(#fields)* }
    };
    let trait_method = quote! {
        #[doc = #doc]
        fn #method(&self, call: Call, request: #ident) -> impl Future<Output = Response> + Send;
    };
    let handlers = [Some(op), twin]
        .into_iter()
        .flatten()
        .map(|o| render_handler(o, &ident, &method, twin.map(|_| o.side())))
        .collect();
    (request, trait_method, handlers)
}

fn render_handler(
    op: &Op,
    request: &syn::Ident,
    method: &syn::Ident,
    side: Option<String>,
) -> TokenStream {
    let handler = format_ident!("{}", op.snake());
    let mut args = vec![
        quote!(State(state): State<S>),
        quote!(ConnectInfo(connection): ConnectInfo<Connection>),
    ];
    let mut fields = Vec::new();
    if let Some(param) = op.params.iter().find(|p| p.location == "path") {
        args.push(quote!(path: Result<Path<String>, PathRejection>));
        let field = field_ident(&param.name);
        fields.push(quote!(#field: segment(path, &uri),));
    }
    args.push(quote!(uri: Uri));
    args.push(quote!(raw_query: Result<Query<HashMap<String, String>>, QueryRejection>));
    args.push(quote!(headers: HeaderMap));
    for param in op.params.iter().filter(|p| p.location == "query") {
        let (field, name) = (field_ident(&param.name), &param.name);
        fields.push(quote!(#field: query.get(#name).cloned(),));
    }
    if op.has_body {
        args.push(quote!(body: Body));
        fields.push(quote!(body,));
    }
    if let Some(side) = side {
        let side = format_ident!("{}", side);
        fields.push(quote!(side: Side::#side,));
    }
    quote! {
        async fn #handler<S: Operations>(#(#args),*) -> Response {
            let query = query(raw_query);
            let request = #request { #(#fields)* };
            let call = Call { connection, headers, uri, query };
            state.#method(call, request).await
        }
    }
}

/// One `.route(..)` per path, with its methods in document order.
fn render_routes(ops: &[Op]) -> Vec<TokenStream> {
    let mut paths: BTreeMap<usize, (&str, Vec<&Op>)> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for op in ops {
        let index = match order.iter().position(|p| *p == op.path) {
            Some(i) => i,
            None => {
                order.push(&op.path);
                order.len() - 1
            }
        };
        paths
            .entry(index)
            .or_insert((&op.path, Vec::new()))
            .1
            .push(op);
    }
    paths
        .values()
        .map(|(path, ops)| {
            let template = format!("{{app}}{}", axum_path(path));
            let mut chain = Vec::new();
            for (i, op) in ops.iter().enumerate() {
                let (m, h) = (
                    format_ident!("{}", op.method),
                    format_ident!("{}", op.snake()),
                );
                chain.push(match i {
                    0 => quote!(axum::routing::#m(#h::<S>)),
                    _ => quote!(.#m(#h::<S>)),
                });
            }
            quote! {
                .route(
                    &format!(#template),
                    #(#chain)*.fallback(|| async { S::method_not_allowed() }),
                )
            }
        })
        .collect()
}

/// Path parameters as axum writes them: every `{name}` becomes `{{name}}` for `format!`.
fn axum_path(path: &str) -> String {
    path.replace('{', "{{").replace('}', "}}")
}

fn field_ident(name: &str) -> syn::Ident {
    format_ident!(
        "{}",
        crate::operations::screaming_snake(name).to_ascii_lowercase()
    )
}
